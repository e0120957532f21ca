package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LivenessTest {

    @Test
    void aSilentConnectionIsPingedThenClosedAndForgotten() throws Exception {
        try (TestServer server = TestServer.start(s -> s.liveness(Duration.ofMillis(200), Duration.ofSeconds(1)));
             RawWsClient silent = RawWsClient.connect(server.port(), Tokens.user("quiet"), 0)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.isOnline("quiet"));
            RawWsClient.Frame first = silent.readFrame();
            assertThat(first.opcode()).as("a server ping").isEqualTo(9);
            int code = silent.readUntilClose();
            assertThat(code).isEqualTo(1001);
            assertThat(silent.cutByServer()).isTrue();
            assertThat(server.registry.isOnline("quiet")).isFalse();
            assertThat(server.metrics.activeConnections.get()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.all().isEmpty());
        }
    }

    @Test
    void aClientThatAnswersPingsStaysOpenPastTheIdleTimeout() {
        try (TestServer server = TestServer.start(s -> s.liveness(Duration.ofMillis(200), Duration.ofSeconds(1)));
             WsClient lively = WsClient.connect(server.port(), Tokens.user("lively"))) {
            lively.assertAlive();
            await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(10)).until(() -> true);
            lively.assertAlive();
            assertThat(lively.closeCode).isNotDone();
        }
    }

    @Test
    void aDroppedTcpConnectionIsForgottenWithoutACloseFrame() throws Exception {
        try (TestServer server = TestServer.start(s -> s.liveness(Duration.ofSeconds(25), Duration.ofSeconds(60)))) {
            RawWsClient gone = RawWsClient.connect(server.port(), Tokens.user("gone"), 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.isOnline("gone"));
            gone.socket.setSoLinger(true, 0);
            gone.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !server.registry.isOnline("gone"));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.chat.presenceLog.contains("offline gone"));
            assertThat(server.metrics.activeConnections.get()).isZero();
        }
    }
}
