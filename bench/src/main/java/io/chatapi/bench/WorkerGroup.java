package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Several load workers started together, each with its own share of the job; closes them all. */
final class WorkerGroup implements AutoCloseable {
    private final List<WorkerProcess> workers = new ArrayList<>();

    /** Starts {@code count} workers with {@code jvmOptions}; {@code jobFor} makes the job of worker i. */
    static WorkerGroup start(String name, int count, List<String> jvmOptions, IntFunction<ObjectNode> jobFor) {
        WorkerGroup group = new WorkerGroup();
        try {
            for (int i = 0; i < count; i++) {
                group.workers.add(WorkerProcess.start(name + "-" + i, jvmOptions, jobFor.apply(i)));
            }
            return group;
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
    }

    List<WorkerProcess> workers() {
        return List.copyOf(workers);
    }

    /** Waits for {@code event} from every worker, within one shared timeout. */
    List<JsonNode> awaitAll(String event, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> out = new ArrayList<>();
        for (WorkerProcess worker : workers) {
            out.add(worker.await(event, Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
        }
        return out;
    }

    void sendAll(JsonNode line) {
        workers.forEach(w -> w.send(line));
    }

    void commandAll(String cmd) {
        workers.forEach(w -> w.command(cmd));
    }

    /** Sum of a numeric field over the latest progress events. */
    long progressSum(String field) {
        long sum = 0;
        for (WorkerProcess worker : workers) {
            JsonNode progress = worker.progress();
            if (progress != null) {
                sum += progress.path(field).asLong();
            }
        }
        return sum;
    }

    /** Maximum of a numeric field over the latest progress events. */
    long progressMax(String field) {
        long max = 0;
        for (WorkerProcess worker : workers) {
            JsonNode progress = worker.progress();
            if (progress != null) {
                max = Math.max(max, progress.path(field).asLong());
            }
        }
        return max;
    }

    /** Sends {@code finish} and merges every worker's {@code result}. */
    WorkerResults finish(Duration timeout) {
        commandAll("finish");
        return WorkerResults.merge(awaitAll("result", timeout));
    }

    @Override
    public void close() {
        List<Thread> closing = new ArrayList<>();
        for (WorkerProcess worker : workers) {
            closing.add(Thread.ofVirtual().start(worker::close));
        }
        for (Thread thread : closing) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
