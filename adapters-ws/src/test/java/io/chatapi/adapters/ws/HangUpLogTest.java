package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.adapters.ws.rest.DirectAnswers;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class HangUpLogTest {

    @Test
    void aClientHangingUpMidRequestLeavesOneFineLineAndNoStackTrace() throws Exception {
        Logger connection = Logger.getLogger("io.helidon.webserver.http1.Http1Connection");
        Logger hangUps = Logger.getLogger(HangUpLog.class.getName());
        Logger earlyEnds = Logger.getLogger(DirectAnswers.class.getName());
        CollectingHandler toHelidon = new CollectingHandler();
        CollectingHandler toOurs = new CollectingHandler();
        List<LogRecord> helidon = toHelidon.records;
        List<LogRecord> ours = toOurs.records;
        Level before = hangUps.getLevel();
        Level beforeEarly = earlyEnds.getLevel();
        connection.addHandler(toHelidon);
        hangUps.addHandler(toOurs);
        hangUps.setLevel(Level.FINE);
        earlyEnds.addHandler(toOurs);
        earlyEnds.setLevel(Level.FINE);
        try (TestServer server = TestServer.start()) {
            for (String half : List.of("GET /health HTTP/1.1\r\nHost: x\r\n",
                    "POST /rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":")) {
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    OutputStream out = socket.getOutputStream();
                    out.write(half.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !ours.isEmpty());
            assertThat(new Http(server.port()).get("/health", null).statusCode()).isEqualTo(200);
        } finally {
            connection.removeHandler(toHelidon);
            hangUps.removeHandler(toOurs);
            hangUps.setLevel(before);
            earlyEnds.removeHandler(toOurs);
            earlyEnds.setLevel(beforeEarly);
        }
        assertThat(helidon).extracting(LogRecord::getThrown).as("no stack trace").allMatch(java.util.Objects::isNull);
        assertThat(ours).extracting(LogRecord::getMessage).as("a FINE line, not a stack trace")
                .contains("a request ended before its head was complete");
    }
}
