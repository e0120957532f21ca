package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(90)
class StartupScenarioTest {
    private final PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @Test
    void measuresEveryRunAndReportsMedianMinAndMax(@TempDir Path dir) throws Exception {
        ServerFactory factory = FakeHealthServer.factory(dir);
        Report report = Bench.execute(BenchOptions.parse("startup", "--runs", "2"), List.of(new StartupScenario()),
                workDir -> factory, log);

        assertThat(report.errors()).isEmpty();
        Measurement m = report.measurements().get(0);
        assertThat(m.scenario()).isEqualTo("startup");
        assertThat(m.parameters()).containsEntry("runs", 2);
        double min = (Double) m.figures().get("min_ms");
        double median = (Double) m.figures().get("median_ms");
        double max = (Double) m.figures().get("max_ms");
        assertThat(min).isPositive().isLessThanOrEqualTo(median);
        assertThat(median).isLessThanOrEqualTo(max);

        Path file = report.write(dir.resolve("results"), Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(file.getFileName().toString()).isEqualTo("startup-20260102-030405.json");
        var json = Json.parse(Files.readString(file));
        assertThat(json.path("results").get(0).path("figures").path("median_ms").asDouble()).isEqualTo(median);
        assertThat(json.path("note").asText()).contains("share the same");
        assertThat(report.table()).contains("== startup", "median_ms", "share the same");
    }

    @Test
    void aServerThatDoesNotStartBecomesAReportedFailure(@TempDir Path dir) {
        ServerFactory exits = FakeHealthServer.command(dir, List.of(JavaCommand.java().toString(), "-version"), Map.of());
        Report report = Bench.execute(BenchOptions.parse("startup", "--smoke"), List.of(new StartupScenario()),
                workDir -> exits, log);

        assertThat(report.measurements()).isEmpty();
        assertThat(report.errors()).containsKey("startup");
        assertThat(report.errors().get("startup")).contains("exited with code 0");
        assertThat(report.table()).contains("FAILED startup");
        assertThat(report.toJson(Instant.now()).path("errors").path("startup").asText()).contains("exited");
    }
}
