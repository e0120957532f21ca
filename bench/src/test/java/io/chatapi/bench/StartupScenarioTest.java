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
    void aServerThatDoesNotStartBecomesAReportedFailure(@TempDir Path dir) throws Exception {
        ServerFactory exits = FakeHealthServer.command(dir, List.of(JavaCommand.java().toString(), "-version"), Map.of());
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        Report report = Bench.execute(BenchOptions.parse("startup", "--smoke"), List.of(new StartupScenario()),
                workDir -> exits, new PrintStream(shown, true, StandardCharsets.UTF_8));
        // a failed run keeps its directory for the user to look into; this one is not looked into
        String kept = "kept databases and server logs in ";
        String text = shown.toString(StandardCharsets.UTF_8);
        assertThat(text).contains(kept);
        Path workDir = Path.of(text.substring(text.indexOf(kept) + kept.length()).lines().findFirst().orElseThrow());
        try (var paths = Files.walk(workDir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }

        assertThat(report.measurements()).isEmpty();
        assertThat(report.errors()).containsKey("startup");
        assertThat(report.errors().get("startup")).contains("exited with code 0");
        assertThat(report.table()).contains("FAILED startup");
        assertThat(report.toJson(Instant.now()).path("errors").path("startup").asText()).contains("exited");
    }
}
