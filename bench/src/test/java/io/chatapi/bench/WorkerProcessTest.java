package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real worker processes: the job goes in, events and histograms come back, and the worker stops by itself. */
@Timeout(60)
class WorkerProcessTest {

    @Test
    void histogramsTravelFromAWorkerProcessToTheCoordinator() {
        Measurement clock = ClockCheck.run(25, List.of());
        assertThat(clock.figures().get("received")).isEqualTo(25L);
        assertThat(clock.figures().get("negative")).isEqualTo(0L);
        assertThat((Double) clock.figures().get("pipe_p99_ms")).isNotNull().isGreaterThanOrEqualTo(0.0);
    }

    @Test
    void aWorkerRunsWithTheJvmOptionsItWasGiven() {
        try (WorkerGroup group = WorkerGroup.start("jit", 1, List.of("-XX:TieredStopAtLevel=1"), i -> Json.object()
                .put("role", "clock").put("deadline_epoch_ms", System.currentTimeMillis() + 30_000))) {
            WorkerProcess worker = group.workers().get(0);
            worker.await("ready", Duration.ofSeconds(30));
            List<String> arguments = ProcessHandle.of(worker.pid()).flatMap(p -> p.info().arguments())
                    .map(List::of).orElseThrow();
            assertThat(arguments).contains("-XX:TieredStopAtLevel=1");
            assertThat(arguments.indexOf("-XX:TieredStopAtLevel=1")).isGreaterThan(arguments.indexOf("-Xmx1g"));
        }
    }

    @Test
    void anUnknownRoleIsReportedAsAnError() {
        try (WorkerGroup group = WorkerGroup.start("bad", 1, List.of(), i -> Json.object()
                .put("role", "no-such-role").put("deadline_epoch_ms", System.currentTimeMillis() + 30_000))) {
            assertThatThrownBy(() -> group.workers().get(0).await("ready", Duration.ofSeconds(30)))
                    .isInstanceOf(BenchException.class).hasMessageContaining("unknown worker role");
        }
    }

    @Test
    void aWorkerStopsAtItsDeadline() {
        try (WorkerGroup group = WorkerGroup.start("late", 1, List.of(), i -> Json.object()
                .put("role", "clock").put("deadline_epoch_ms", System.currentTimeMillis() + 500))) {
            WorkerProcess worker = group.workers().get(0);
            worker.await("ready", Duration.ofSeconds(30));
            assertThatThrownBy(() -> worker.await("result", Duration.ofSeconds(30)))
                    .isInstanceOf(BenchException.class).hasMessageContaining("deadline");
        }
    }

    @Test
    void aWorkerStopsWhenTheCoordinatorCloses() throws Exception {
        WorkerGroup group = WorkerGroup.start("orphan", 1, List.of(), i -> Json.object()
                .put("role", "clock").put("deadline_epoch_ms", System.currentTimeMillis() + 60_000));
        WorkerProcess worker = group.workers().get(0);
        worker.await("ready", Duration.ofSeconds(30));
        long pid = worker.pid();
        long start = System.nanoTime();
        group.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(14));
    }
}
