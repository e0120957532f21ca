package io.chatapi.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The SQLite ceiling on its own (persist runs it too): rows per second for each producer count, no server. */
final class CeilingScenario implements Scenario {
    @Override
    public String name() {
        return "ceiling";
    }

    @Override
    public Set<String> options() {
        return Set.of("senders", "warmup", "duration", "sync");
    }

    @Override
    public void run(BenchContext context) {
        BenchOptions options = context.options();
        List<Integer> sweep = options.integers("senders", PersistScenario.SENDERS, List.of(4));
        Duration warmup = options.duration("warmup", PersistScenario.WARMUP, Duration.ofMillis(200));
        Duration duration = options.duration("duration", Duration.ofSeconds(10), Duration.ofSeconds(1));
        String sync = options.string("sync", "FULL", "FULL").toUpperCase(Locale.ROOT);
        if (!sync.equals("FULL") && !sync.equals("NORMAL")) {
            throw new BenchException("--sync must be FULL or NORMAL, not " + sync);
        }
        for (int producers : sweep) {
            context.progress("SQLite ceiling with " + producers + " producers");
            SqliteCeiling.Result result = SqliteCeiling.run(
                    context.workDir().resolve("ceiling-only-" + producers + ".db"), producers, warmup, duration, sync);
            context.report().add(Measurement.of(name())
                    .param("producers", producers)
                    .param("sync", sync)
                    .param("duration_s", duration.toMillis() / 1000.0)
                    .figure("rows_per_s", result.rowsPerSecond())
                    .figure("commit_p50_ms", Histograms.millis(result.latency(), 50))
                    .figure("commit_p99_ms", Histograms.millis(result.latency(), 99))
                    .figure("avg_batch", result.averageBatch())
                    .figure("failures", result.failures())
                    .note("one writer thread, one transaction per batch of everything queued; per row: UPDATE rooms SET last_seq = last_seq + 1 RETURNING, INSERT message with a random id shaped like the server's; WAL, checkpoint every " + SqliteCeiling.WAL_AUTOCHECKPOINT_PAGES + " pages as the server")
                    .build());
        }
    }
}
