package io.chatapi.bootstrap.e2e;

import io.chatapi.bootstrap.ChatApp;
import io.chatapi.bootstrap.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The real server, wired as in production, on a free port with a fresh SQLite file. */
final class TestServer implements AutoCloseable {
    /** The directories of the servers started, deleted when the test JVM ends. */
    private static final Set<Path> DIRECTORIES = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> DIRECTORIES.forEach(TestServer::deleteQuietly)));
    }

    private final Path dir;
    private final Map<String, String> env;
    private volatile ChatApp app;

    private TestServer(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    static TestServer start() {
        return start(Map.of());
    }

    /** Starts with test defaults overridden by {@code overrides}. */
    static TestServer start(Map<String, String> overrides) {
        try {
            Path dir = newDirectory();
            Map<String, String> env = new HashMap<>();
            env.put("JWT_SECRET", Tokens.SECRET);
            env.put("LISTEN_ADDR", "127.0.0.1:0");
            env.put("DATABASE_DSN", "file:" + dir.resolve("chat.db"));
            env.put("RATE_LIMIT_MESSAGES", "0");
            env.put("WORKER_INTERVAL", "200ms");
            env.put("SHUTDOWN_DRAIN_TIMEOUT", "2s");
            env.put("SHUTDOWN_RECONNECT_MAX", "2s");
            env.putAll(overrides);
            TestServer server = new TestServer(dir, env);
            server.app = ChatApp.start(env);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Stops gracefully and starts again on the same database file (a new port). */
    void restart() {
        restart(() -> { });
    }

    /** Stops gracefully, runs {@code whileStopped} (on the database file, say), and starts again on the same file. */
    void restart(Runnable whileStopped) {
        app.close();
        whileStopped.run();
        try {
            app = ChatApp.start(env);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e);
        }
    }

    Path database() {
        return dir.resolve("chat.db");
    }

    int port() {
        return app.port();
    }

    Rest rest() {
        return new Rest(port());
    }

    /** A connected socket the server has registered (see {@link WsClient#ready()}). */
    WsClient ws(String token) {
        return WsClient.connect(port(), token).ready();
    }

    ChatApp app() {
        return app;
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
    }

    /**
     * A new directory for a server's files, deleted when the test JVM ends (a test may stop a server and start
     * another on its database file, so a stop does not delete it).
     */
    private static Path newDirectory() throws IOException {
        Path dir = Files.createTempDirectory("chatapi-e2e");
        DIRECTORIES.add(dir);
        return dir;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e);
        }
    }
}
