package io.chatapi.bench;

/** One kind of load a worker process generates; runs to its end or its deadline and then emits its result. */
interface WorkerRole {
    void run(WorkerContext context) throws Exception;
}
