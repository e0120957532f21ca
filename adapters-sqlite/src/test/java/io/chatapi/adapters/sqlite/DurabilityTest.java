package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatapi.domain.Message;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every append acknowledged before the process is killed (SIGKILL) is in the file afterwards. */
class DurabilityTest {
    private static final int ACKS_BEFORE_KILL = 300;

    @TempDir
    Path dir;

    @Test
    void acknowledgedAppendsSurviveAKilledProcess() throws Exception {
        Path file = dir.resolve("chat.db");
        Process child = startChild(file);
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        Thread reader = Thread.ofPlatform().daemon(true).start(() -> readAcks(child, acked));
        try {
            await().atMost(Duration.ofSeconds(40)).until(() -> acked.size() >= ACKS_BEFORE_KILL || !child.isAlive());
            assertThat(child.isAlive()).as("child still running; stderr: %s", stderr()).isTrue();
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        reader.join(Duration.ofSeconds(20));

        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            List<Long> stored = new SqliteMessageStore(db).after(AppendingChild.ROOM, 0, Integer.MAX_VALUE).stream()
                    .map(Message::seq).toList();
            assertThat(stored).containsAll(acked);
            assertThat(stored).containsExactlyElementsOf(LongStream.rangeClosed(1, stored.size()).boxed().toList());
            assertThat(new SqliteRoomStore(db).find(AppendingChild.ROOM).orElseThrow().lastSeq())
                    .isEqualTo(stored.size());
        }
        assertThat(acked).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
    }

    private Process startChild(Path file) throws IOException, URISyntaxException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // SQLite's native library is copied into the test's directory: the killed child cannot remove it
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dorg.sqlite.tmpdir=" + dir, "-cp", classPath(), AppendingChild.class.getName(), file.toString()));
        return new ProcessBuilder(command).redirectError(dir.resolve("child.err").toFile()).start();
    }

    /** The test run's module path and class path, plus the test classes (which surefire patches into the module). */
    private static String classPath() throws URISyntaxException {
        String resource = AppendingChild.class.getSimpleName() + ".class";
        Path classFile = Path.of(AppendingChild.class.getResource(resource).toURI());
        Path testClasses = classFile.getParent();
        for (int i = 0; i < AppendingChild.class.getPackageName().split("\\.").length; i++) {
            testClasses = testClasses.getParent();
        }
        return Stream.of(testClasses.toString(), System.getProperty("jdk.module.path", ""),
                        System.getProperty("java.class.path", ""))
                .filter(part -> !part.isEmpty())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static void readAcks(Process child, Set<Long> acked) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("acked ")) {
                    acked.add(Long.parseLong(line.substring("acked ".length())));
                }
            }
        } catch (IOException e) {
            // the pipe closes when the child dies; everything read so far counts
        }
    }

    private String stderr() throws IOException {
        return Files.readString(dir.resolve("child.err"));
    }
}
