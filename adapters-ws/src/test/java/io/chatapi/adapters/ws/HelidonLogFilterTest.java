package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.adapters.ws.rest.DirectAnswers;
import io.helidon.common.buffers.DataReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class HelidonLogFilterTest {
    private static final Logger HELIDON = Logger.getLogger("io.helidon.webserver.http1.Http1Connection");

    @Test
    void helidonsStackTraceOfAHangUpBecomesOneFineLineAndOtherRecordsPass() {
        List<String> fine = fineLinesWhile(() -> {
            LogRecord hangUp = new LogRecord(Level.WARNING, "Internal server error");
            hangUp.setThrown(new IllegalStateException("wrapped", new DataReader.InsufficientDataAvailableException()));
            LogRecord other = new LogRecord(Level.WARNING, "Internal server error");
            other.setThrown(new IllegalStateException("a real fault"));

            assertThat(HELIDON.getFilter().isLoggable(hangUp)).isFalse();
            assertThat(HELIDON.getFilter().isLoggable(other)).isTrue();
        });
        assertThat(fine).containsExactly("a client closed its connection in the middle of a request");
    }

    @Test
    void theListenersStackTraceOfItsSocketClosedByTheStopBecomesOneFineLine() {
        Logger listener = Logger.getLogger("io.helidon.webserver.ServerListener");
        List<String> fine = fineLinesWhile(() -> {
            LogRecord closed = new LogRecord(Level.SEVERE, "Got a throwable while listening");
            closed.setThrown(new ClosedChannelException());
            LogRecord interrupted = new LogRecord(Level.SEVERE, "Got a throwable while listening");
            interrupted.setThrown(new InterruptedException());
            LogRecord other = new LogRecord(Level.SEVERE, "Got a throwable while listening");
            other.setThrown(new IOException("Too many open files"));

            assertThat(listener.getFilter().isLoggable(closed)).isFalse();
            assertThat(listener.getFilter().isLoggable(interrupted)).isFalse();
            assertThat(listener.getFilter().isLoggable(other)).isTrue();
            assertThat(listener.getFilter().isLoggable(new LogRecord(Level.INFO, "socket closed"))).isTrue();
        });
        assertThat(fine).containsExactly("the stop ended the listener while it waited for a free connection slot",
                "the stop ended the listener while it waited for a free connection slot");
    }

    /** Installs the filters, runs {@code checks}, and returns the FINE lines the filters logged meanwhile. */
    private static List<String> fineLinesWhile(Runnable checks) {
        HelidonLogFilter.install();
        Logger ours = Logger.getLogger(HelidonLogFilter.class.getName());
        CollectingHandler fine = new CollectingHandler();
        Level before = ours.getLevel();
        ours.addHandler(fine);
        ours.setLevel(Level.FINE);
        try {
            checks.run();
        } finally {
            ours.removeHandler(fine);
            ours.setLevel(before);
        }
        return fine.records.stream().map(LogRecord::getMessage).toList();
    }

    @Test
    void aClientHangingUpMidHeadOrMidBodyLeavesNoStackTraceAndNoServerError() throws Exception {
        Logger requests = Logger.getLogger("io.chatapi.http");
        Logger earlyEnds = Logger.getLogger(DirectAnswers.class.getName());
        CollectingHandler toHelidon = new CollectingHandler();
        CollectingHandler toRequests = new CollectingHandler();
        CollectingHandler toOurs = new CollectingHandler();
        Level before = earlyEnds.getLevel();
        HELIDON.addHandler(toHelidon);
        requests.addHandler(toRequests);
        earlyEnds.addHandler(toOurs);
        earlyEnds.setLevel(Level.FINE);
        try (TestServer server = TestServer.start()) {
            for (String half : List.of("GET /health HTTP/1.1\r\nHost: x\r\n",
                    "POST /rooms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Tokens.user("alice")
                            + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")) {
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(half.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(100); // the server reads what came before the hang-up
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !toOurs.records.isEmpty()
                    && toRequests.records.stream().anyMatch(r -> r.getMessage().startsWith("POST /rooms ")));
            assertThat(new Http(server.port()).get("/health", null).statusCode()).isEqualTo(200);
        } finally {
            HELIDON.removeHandler(toHelidon);
            requests.removeHandler(toRequests);
            earlyEnds.removeHandler(toOurs);
            earlyEnds.setLevel(before);
        }
        assertThat(toHelidon.records).extracting(LogRecord::getThrown).as("no stack trace")
                .allMatch(java.util.Objects::isNull);
        assertThat(toRequests.records).extracting(LogRecord::getMessage).noneMatch(m -> m.contains(" 500 "))
                .anyMatch(m -> m.startsWith("POST /rooms 400 "));
        assertThat(toOurs.records).extracting(LogRecord::getMessage)
                .containsExactly("a request ended before its head was complete");
    }
}
