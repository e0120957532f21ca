package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
    void aClientReadingALongBacklogSlowlyGetsPingsMeanwhileAndIsNotClosedAsIdle() throws Exception {
        try (TestServer server = TestServer.start(s -> s.queue(3_010)
                .liveness(Duration.ofMillis(100), Duration.ofMillis(1500)));
             RawWsClient reader = RawWsClient.connect(server.port(), Tokens.user("reader"), 4096)) {
            int pings = readSlowly(server, reader, 3_000, 2_000, Duration.ofMillis(1), Duration.ofMillis(3_000));
            assertThat(pings).as("pings came meanwhile").isPositive();
        }
    }

    @Test
    void aClientWhoseSocketHoldsMoreThanItReadsInAnIdleTimeoutIsNotClosedWhileItReads() throws Exception {
        try (TestServer server = TestServer.start(s -> s.queue(910)
                .liveness(Duration.ofMillis(100), Duration.ofMillis(600)));
             RawWsClient reader = RawWsClient.connect(server.port(), Tokens.user("reader"), 4096)) {
            // the kernel takes megabytes at once on loopback: the first ping waits behind more than 600 ms of it
            readSlowly(server, reader, 900, 8_000, Duration.ofMillis(2), Duration.ofMillis(1_800));
        }
    }

    @Test
    void withASendBufferSetABurstTheKernelWouldHoldWholeStaysQueuedWhereTheSweepSeesItRead() throws Exception {
        try (TestServer server = TestServer.start(s -> s.queue(160).socketSendBuffer(128 * 1024)
                .liveness(Duration.ofMillis(100), Duration.ofMillis(600)));
             RawWsClient reader = RawWsClient.connect(server.port(), Tokens.user("reader"), 4096)) {
            // 1.2 MB: the kernel would grow the socket's buffer to take it all, leaving nothing queued to be seen
            readSlowly(server, reader, 150, 8_000, Duration.ofMillis(20), Duration.ofMillis(3_000));
        }
    }

    /**
     * Publishes {@code backlog} messages of {@code chars} characters to the reader at once, then reads them,
     * {@code pause} apart, answering pings; fails unless all arrive in order, the reading took longer than
     * {@code atLeast}, and the connection is open at the end. Returns the pings read meanwhile.
     */
    private static int readSlowly(TestServer server, RawWsClient reader, int backlog, int chars, Duration pause,
                                  Duration atLeast) throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.isOnline("reader"));
        String content = "x".repeat(chars);
        for (long seq = 1; seq <= backlog; seq++) {
            server.registry.publish(List.of("reader"), new ChatEvent.MessageCreated(
                    new Message("m" + seq, "room", "sender", seq, content, null, Instant.now(), null, null), false));
        }
        long started = System.nanoTime();
        long next = 1;
        int pings = 0;
        while (next <= backlog) {
            RawWsClient.Frame f = reader.readFrame();
            assertThat(f).as("the connection ended after %d messages", next - 1).isNotNull();
            assertThat(f.opcode()).as("closed with %d after %d messages", f.closeCode(), next - 1).isNotEqualTo(8);
            if (f.opcode() == 9) {
                pings++;
                reader.sendFrame(true, 10, f.payload());
            } else if (f.opcode() == 1) {
                assertThat(WireJson.parse(f.text()).orElseThrow().get("seq").asLong()).isEqualTo(next);
                next++;
                Thread.sleep(pause);
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the reading outlasted the idle timeout")
                .isGreaterThan(atLeast);
        RawWsClient.Frame after = reader.frameWithin(500);
        assertThat(after).as("a ping after the backlog").isNotNull();
        assertThat(after.opcode()).isEqualTo(9);
        assertThat(server.registry.isOnline("reader")).isTrue();
        return pings;
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
