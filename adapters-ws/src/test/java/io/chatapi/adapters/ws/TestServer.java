package io.chatapi.adapters.ws;

import io.chatapi.application.ServerMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.function.UnaryOperator;

/** A real server on a free port, wired to a {@link UseCasesTestDouble}. */
final class TestServer implements AutoCloseable {
    final ServerMetrics metrics = new ServerMetrics();
    final ConnectionRegistry registry = new ConnectionRegistry(metrics);
    final UseCasesTestDouble chat = new UseCasesTestDouble(registry);
    final TransportSettings settings;
    final ChatServer server;

    private TestServer(TransportSettings settings) {
        this.settings = settings;
        this.server = ChatServer.start(settings, chat.useCases(), registry, metrics);
    }

    static TestServer start() {
        return start(s -> s);
    }

    static TestServer start(UnaryOperator<Settings> tweak) {
        return new TestServer(tweak.apply(new Settings()).build());
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }

    /** Test settings: small limits and short times, each adjustable. */
    static final class Settings {
        Set<String> allowedOrigins = Set.of("https://app.example");
        int maxConnectionsPerUser = 5;
        int maxFrameBytes = 65_536;
        int maxBodyBytes = 1_048_576;
        int socketSendBufferBytes;
        Duration pingInterval = Duration.ofSeconds(25);
        Duration idleTimeout = Duration.ofSeconds(60);
        Duration requestTimeout = Duration.ofSeconds(30);
        long answerBudgetBytes = TransportSettings.answerBudgetForThisProcess();
        int outgoingQueueFrames = 256;
        Duration leeway = Duration.ZERO;
        Duration shutdownDrainTimeout = Duration.ofSeconds(5);
        Duration shutdownReconnectMax = Duration.ofSeconds(10);

        Settings origins(String... origins) {
            allowedOrigins = Set.of(origins);
            return this;
        }

        Settings maxConnectionsPerUser(int n) {
            maxConnectionsPerUser = n;
            return this;
        }

        Settings maxFrameBytes(int n) {
            maxFrameBytes = n;
            return this;
        }

        Settings maxBodyBytes(int n) {
            maxBodyBytes = n;
            return this;
        }

        Settings liveness(Duration ping, Duration idle) {
            pingInterval = ping;
            idleTimeout = idle;
            return this;
        }

        Settings requestTimeout(Duration timeout) {
            requestTimeout = timeout;
            return this;
        }

        Settings answerBudgetBytes(long bytes) {
            answerBudgetBytes = bytes;
            return this;
        }

        Settings queue(int frames) {
            outgoingQueueFrames = frames;
            return this;
        }

        Settings shutdownDrainTimeout(Duration budget) {
            shutdownDrainTimeout = budget;
            return this;
        }

        Settings socketSendBuffer(int bytes) {
            socketSendBufferBytes = bytes;
            return this;
        }

        Settings shutdownReconnectMax(Duration max) {
            shutdownReconnectMax = max;
            return this;
        }

        TransportSettings build() {
            return new TransportSettings("127.0.0.1", 0, Tokens.SECRET.getBytes(StandardCharsets.UTF_8), leeway, false,
                    null, null, allowedOrigins, maxConnectionsPerUser, maxFrameBytes, maxBodyBytes,
                    socketSendBufferBytes, pingInterval, idleTimeout, requestTimeout, answerBudgetBytes, outgoingQueueFrames, shutdownDrainTimeout, shutdownReconnectMax);
        }
    }
}
