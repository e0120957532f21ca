package io.chatapi.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Before the worker scenarios: one worker process receives timestamped lines from the coordinator and sends
 * back the histogram of (its clock - the coordinator's). It proves that histograms travel between processes and
 * that the processes share one clock (no negative values, a small spread), which cross-process latencies rely on.
 */
final class ClockCheck {
    private ClockCheck() {
    }

    static Measurement run(int pings, List<String> workerJavaOptions) {
        try (WorkerGroup group = WorkerGroup.start("clock", 1, workerJavaOptions, i -> Json.object()
                .put("role", "clock")
                .put("deadline_epoch_ms", System.currentTimeMillis() + 60_000))) {
            WorkerProcess worker = group.workers().get(0);
            worker.await("ready", Duration.ofSeconds(30));
            for (int i = 0; i < pings; i++) {
                worker.send(Json.object().put("cmd", "ping").put("t", Micros.now()));
                LockSupport.parkNanos(1_000_000);
            }
            worker.command("finish");
            WorkerResults results = WorkerResults.merge(List.of(worker.await("result", Duration.ofSeconds(30))));
            Histogram pipe = results.histogram("pipe");
            return Measurement.of("clock")
                    .param("pings", pings)
                    .figure("received", results.counter("pings"))
                    .figure("negative", results.counter("negative"))
                    .figure("pipe_p50_ms", Histograms.millis(pipe, 50))
                    .figure("pipe_p99_ms", Histograms.millis(pipe, 99))
                    .note("coordinator → worker pipe latency measured with the shared wall clock; negative values would mean the clocks differ")
                    .build();
        }
    }
}
