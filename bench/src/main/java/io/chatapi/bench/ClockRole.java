package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks the trip between coordinator and worker: each {@code ping} carries the coordinator's wall clock in
 * microseconds and is recorded as {@code now - t}. A small, never negative spread shows that both processes
 * read one clock, which the cross-process latency figures rely on.
 */
final class ClockRole implements WorkerRole {
    @Override
    public void run(WorkerContext context) {
        context.emit("ready", Json.object());
        while (true) {
            JsonNode command = context.nextCommand();
            switch (command.path("cmd").asText()) {
                case "ping" -> {
                    long delta = Micros.now() - command.path("t").asLong();
                    if (delta < 0) {
                        context.counter("negative").incrementAndGet();
                    }
                    Histograms.record(context.histogram("pipe"), delta);
                    context.counter("pings").incrementAndGet();
                }
                case "finish" -> {
                    context.emitResult();
                    return;
                }
                default -> context.counter("unknown_commands").incrementAndGet();
            }
        }
    }
}
