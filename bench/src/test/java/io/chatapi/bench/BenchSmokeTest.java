package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every scenario in {@code --smoke} mode against the packaged server ({@code bootstrap/target/chatapi.jar},
 * built by the reactor before this module's tests). Asserts only that each produced its figures.
 */
@Timeout(120)
class BenchSmokeTest {
    private static final Path JAR = ProjectRoot.find(Path.of("")).resolve("bootstrap/target/chatapi.jar");

    @Test
    void persist() {
        Measurement m = only(run("persist"), "persist");
        assertFigures(m, "acked_msgs_per_s", "ack_p50_ms", "ack_p99_ms", "ack_p999_ms", "ceiling_rows_per_s",
                "persist_vs_ceiling_pct", "ceiling_commit_p50_ms", "ceiling_commit_p99_ms", "store_mean_latency_floor_ms");
        assertPositive(m, "acked_msgs_per_s", "ceiling_rows_per_s", "ceiling_commit_p99_ms", "store_mean_latency_floor_ms");
        assertZero(m, "errors", "connect_failed");
    }

    @Test
    void ceiling() {
        assertFigures(only(run("ceiling"), "ceiling"), "rows_per_s", "commit_p50_ms", "commit_p99_ms");
    }

    @Test
    void fanout() {
        Report report = run("fanout");
        assertFigures(only(report, "fanout"), "delivery_p50_ms", "delivery_p99_ms", "deliveries_per_s", "delivered_pct");
        assertPositive(only(report, "fanout"), "deliveries_per_s", "delivered_pct");
        assertFigures(only(report, "fanout-ceiling"), "stopped_because");
        assertThat(report.measurements()).anyMatch(m -> m.scenario().equals("fanout-ceiling-steps"));
    }

    @Test
    void idle() {
        Measurement m = only(run("idle"), "idle");
        assertFigures(m, "connected", "rss_before_mb", "rss_after_mb", "rss_per_conn_kb", "dropped");
        assertPositive(m, "connected");
        assertZero(m, "dropped");
    }

    @Test
    void storm() {
        Measurement m = only(run("storm"), "storm");
        assertFigures(m, "resumed", "all_resumed_after_ready_ms", "connect_errors", "missed", "messages_sent");
        assertPositive(m, "resumed", "messages_sent");
        assertZero(m, "missed");
    }

    @Test
    void relay() {
        Measurement m = only(run("relay"), "relay");
        assertFigures(m, "relay_p50_ms", "relay_p99_ms", "plain_baseline_p99_ms", "plain_streams_p99_ms",
                "plain_after_p99_ms", "replies_completed", "direct_p99_ms");
        assertPositive(m, "replies_completed", "direct_completions");
    }

    @Test
    void startup() {
        Measurement m = only(run("startup"), "startup");
        assertFigures(m, "median_ms", "min_ms", "max_ms");
        assertPositive(m, "median_ms");
    }

    @Test
    void away() {
        Measurement m = only(run("away"), "away");
        assertFigures(m, "msgs_per_s", "queue_rows_per_s", "send_p50_ms", "send_p99_ms", "notifications_received");
        assertPositive(m, "msgs_per_s", "queue_rows_per_s", "notifications_received");
        assertZero(m, "errors");
    }

    private static Report run(String scenario) {
        BenchOptions options = BenchOptions.parse(scenario, "--smoke");
        PrintStream log = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        Report report = Bench.execute(options, Bench.choose(options),
                workDir -> new JarServerFactory(JavaCommand.java(), JAR, workDir, Tokens.randomSecret()), log);
        log.print(report.table());
        assertThat(report.errors()).as("scenario errors").isEmpty();
        return report;
    }

    private static Measurement only(Report report, String scenario) {
        List<Measurement> rows = report.measurements().stream().filter(m -> m.scenario().equals(scenario)).toList();
        assertThat(rows).as(scenario + " rows").isNotEmpty();
        return rows.get(0);
    }

    /** The scenario did its work: these figures are above zero (no thresholds: smoke runs measure nothing). */
    private static void assertPositive(Measurement m, String... names) {
        for (String name : names) {
            assertThat(((Number) m.figures().get(name)).doubleValue()).as(m.scenario() + " " + name).isPositive();
        }
    }

    private static void assertZero(Measurement m, String... names) {
        for (String name : names) {
            assertThat(((Number) m.figures().get(name)).doubleValue()).as(m.scenario() + " " + name).isZero();
        }
    }

    private static void assertFigures(Measurement m, String... names) {
        for (String name : names) {
            assertThat(m.figures()).as(m.scenario() + " figures").containsKey(name);
            assertThat(m.figures().get(name)).as(m.scenario() + " " + name).isNotNull();
        }
    }
}
