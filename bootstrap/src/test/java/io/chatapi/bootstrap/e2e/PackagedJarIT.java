package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code chatapi.jar} as a user deploys it: copied on its own into an empty directory and started
 * there with {@code java -jar} and nothing but {@code JWT_SECRET} (and a loopback address) set. Runs after the
 * {@code package} phase (surefire's {@code packaged-jar} execution).
 */
class PackagedJarIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;
    private Process server;

    @AfterEach
    void stop() {
        if (server != null && server.isAlive()) {
            server.destroyForcibly();
        }
    }

    @Test
    void theJarAloneRunsTheWholeServerWithTheDefaultDatabaseInItsWorkingDirectory() throws Exception {
        Files.copy(TARGET.resolve("chatapi.jar"), dir.resolve("chatapi.jar"));
        int port = start();

        Rest rest = new Rest(port);
        assertThat(rest.get("/health", null).json().path("status").asText()).isEqualTo("ok");
        String room = rest.post("/rooms", Tokens.user("alice"), Map.of("type", "group", "name", "jar",
                "members", List.of("alice", "bob"))).json().path("room_id").asText();
        try (WsClient alice = WsClient.connect(port, Tokens.user("alice")).ready();
                WsClient bob = WsClient.connect(port, Tokens.user("bob")).ready()) {
            alice.send("send_message", Map.of("room_id", room, "content", "from one jar", "client_msg_id", "j1"));
            assertThat(alice.await("message.sent").path("seq").asLong()).isEqualTo(1);
            assertThat(bob.await("message").path("content").asText()).isEqualTo("from one jar");
        }
        assertThat(rest.allMessages(room, Tokens.user("bob"))).extracting(m -> m.path("content").asText())
                .containsExactly("from one jar");
        assertThat(extractedLibraries()).as("sqlite-jdbc copied its library out of the jar").isNotEmpty();

        server.toHandle().destroy();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).as("the JVM's status after a SIGTERM").isEqualTo(143);
        assertThat(dir.resolve("chatapi.db")).isRegularFile();
        assertThat(log()).doesNotContain("SEVERE", "WARNING", "Exception");
    }

    @Test
    void withTheUnpackedLibrariesBesideItTheJarLoadsSqliteFromThereInsteadOfCopyingItOut() throws Exception {
        Files.copy(TARGET.resolve("chatapi.jar"), dir.resolve("chatapi.jar"));
        copyTree(TARGET.resolve("chatapi-native"), dir.resolve("chatapi-native"));
        int port = start();

        JsonNode health = new Rest(port).get("/health", null).json();
        assertThat(health.path("db_writable").asBoolean()).isTrue();
        assertThat(extractedLibraries()).isEmpty();
        server.toHandle().destroy();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).as("the JVM's status after a SIGTERM").isEqualTo(143);
    }

    @Test
    void aNativeLibraryThatCannotBeLoadedStopsTheStartWithOneLineSayingWhatToChangeAndLeavesNoFile()
            throws Exception {
        Files.copy(TARGET.resolve("chatapi.jar"), dir.resolve("chatapi.jar"));
        Path notADirectory = Files.writeString(dir.resolve("not-a-directory"), "");
        launch("-Dorg.sqlite.tmpdir=" + notADirectory);

        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isEqualTo(2);
        assertThat(log().lines().toList()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("chatapi: SQLite's native library cannot be loaded (")
                .contains("temporary directory " + notADirectory, "-Dorg.sqlite.tmpdir=", "chatapi-native/"));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("chatapi.jar", "not-a-directory", "server.log", "tmp");
        }
    }

    @Test
    void theJarTellsItsVersionAndItsSettingsAndRefusesOtherArguments() throws Exception {
        Files.copy(TARGET.resolve("chatapi.jar"), dir.resolve("chatapi.jar"));
        launchWith(List.of(), "--version");
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isZero();
        assertThat(log()).matches("chatapi \\d+\\.\\d+\\.\\d+\\S*\n");

        launchWith(List.of(), "--help");
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isZero();
        assertThat(log()).contains("JWT_SECRET", "LISTEN_ADDR", "default :8080");

        launchWith(List.of(), "--port", "9000");
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isEqualTo(2);
        assertThat(log()).startsWith("chatapi: unknown argument '--port'");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("chatapi.jar", "server.log", "tmp");
        }
    }

    /** Starts {@code java -jar chatapi.jar} in {@link #dir} on a port it chooses; returns the port. */
    private int start() throws IOException, InterruptedException {
        launch();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher listening = LISTENING.matcher(log());
            if (listening.find()) {
                return Integer.parseInt(listening.group(1));
            }
            assertThat(server.isAlive()).as("server alive; log:%n%s", log()).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("not listening after 60 s; log:\n" + log());
    }

    /** {@code java <jvmOptions> -jar chatapi.jar} in {@link #dir}, with only JWT_SECRET and LISTEN_ADDR set. */
    private void launch(String... jvmOptions) throws IOException {
        launchWith(List.of(jvmOptions));
    }

    /** {@code java <jvmOptions> -jar chatapi.jar <arguments>}, as {@link #launch}. */
    private void launchWith(List<String> jvmOptions, String... arguments) throws IOException {
        Files.createDirectories(dir.resolve("tmp"));
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", "chatapi.jar"));
        command.addAll(List.of(arguments));
        var builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile());
        builder.environment().keySet().removeIf(k -> !k.equals("PATH") && !k.equals("HOME"));
        builder.environment().putAll(Map.of("JWT_SECRET", Tokens.SECRET, "LISTEN_ADDR", "127.0.0.1:0"));
        server = builder.start();
    }

    private String log() throws IOException {
        Path file = dir.resolve("server.log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private List<Path> extractedLibraries() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("tmp"))) {
            return files.filter(f -> f.getFileName().toString().contains("sqlitejdbc")).toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path copy = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        }
    }
}
