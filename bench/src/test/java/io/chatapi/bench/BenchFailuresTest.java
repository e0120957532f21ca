package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchFailuresTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8);
    private final AtomicReference<Path> workDir = new AtomicReference<>();

    @Test
    void aRunThatCountedFailuresKeepsItsDirectoryAndShowsTheEndOfEachServerLog(@TempDir Path dir) throws Exception {
        Report report = run(dir, "connect_failed", 1);

        assertThat(Bench.failureFigures(report)).containsExactly("fake connect_failed=1");
        assertThat(workDir.get()).isDirectory();
        String shown = out.toString(StandardCharsets.UTF_8);
        assertThat(shown).contains("failures counted: fake connect_failed=1", "kept databases and server logs in",
                "lines of " + workDir.get().resolve("server-1.log"), "line 50 of the log")
                .doesNotContain("line 10 of the log");
        deleteAll(workDir.get());
    }

    @Test
    void aSoundRunLeavesNothingBehindEvenWithTheStormsExpectedConnectErrors(@TempDir Path dir) throws Exception {
        Report report = run(dir, "connect_errors", 7);

        assertThat(Bench.failureFigures(report)).isEmpty();
        assertThat(workDir.get()).doesNotExist();
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("lines of", "kept");
    }

    private Report run(Path dir, String figure, int value) throws Exception {
        ServerFactory servers = FakeHealthServer.factory(dir);
        Scenario fake = new Scenario() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public Set<String> options() {
                return Set.of();
            }

            @Override
            public void run(BenchContext context) throws Exception {
                workDir.set(context.workDir());
                StringBuilder lines = new StringBuilder();
                for (int i = 1; i <= 50; i++) {
                    lines.append("line ").append(i).append(" of the log\n");
                }
                Files.writeString(context.workDir().resolve("server-1.log"), lines);
                context.report().add(Measurement.of("fake").figure(figure, value).figure("sent", 100).build());
            }
        };
        return Bench.execute(BenchOptions.parse("startup", "--smoke"), List.of(fake),
                unused -> servers, log);
    }

    private static void deleteAll(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
