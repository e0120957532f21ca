package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Requests Helidon does not serve as HTTP/1.1: other versions, and a head that ends before it is complete. */
class HttpVersionsTest {
    private static final String BODY = "{\"error\":\"invalid_request\",\"message\":\"HTTP version not supported: use HTTP/1.1\"}";

    @Test
    void anotherHttpVersionGets505WithTheErrorBodyAndALogLine() throws Exception {
        Logger requests = Logger.getLogger("io.chatapi.http");
        CollectingHandler log = new CollectingHandler();
        requests.addHandler(log);
        try (TestServer server = TestServer.start()) {
            for (String version : List.of("HTTP/1.0", "HTTP/2.0", "HTTP/0.9")) {
                String answer = exchange(server.port(), "GET /health?token=secret " + version + "\r\nHost: x\r\n\r\n", false);
                assertThat(answer).as(version).startsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n")
                        .contains("Connection: close\r\n").endsWith("\r\n\r\n" + BODY);
            }
            assertThat(exchange(server.port(), "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false))
                    .startsWith("HTTP/1.1 200 ");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> log.records.stream()
                    .filter(r -> r.getMessage().equals("GET /health 505 0ms")).count() == 3);
        } finally {
            requests.removeHandler(log);
        }
        assertThat(log.records).extracting(LogRecord::getMessage).noneMatch(m -> m.contains("secret"));
    }

    @Test
    void aVersionSeenOnlyOnceTheLineIsCompleteGetsTheSameAnswer() throws Exception {
        try (TestServer server = TestServer.start(); Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            socket.setTcpNoDelay(true);
            for (String part : List.of("GET /hea", "lth HTTP/1", ".0\r\nHost: x\r\n\r\n")) {
                socket.getOutputStream().write(part.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                Thread.sleep(100);
            }
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 505 ").endsWith(BODY);
        }
    }

    @Test
    void aFirstLineThatIsNoRequestLineGets400() throws Exception {
        try (TestServer server = TestServer.start()) {
            for (String line : List.of("HELLO", "GET /health http/1.1", "\u0016\u0003\u0001 binary")) {
                assertThat(exchange(server.port(), line + "\r\n\r\n", false)).as(line)
                        .startsWith("HTTP/1.1 400 Bad Request\r\n")
                        .endsWith("{\"error\":\"invalid_request\",\"message\":\"malformed HTTP request\"}");
            }
        }
    }

    @Test
    void aHeadThatEndsEarlyIsTheClientsError() throws Exception {
        Logger requests = Logger.getLogger("io.chatapi.http");
        CollectingHandler log = new CollectingHandler();
        requests.addHandler(log);
        try (TestServer server = TestServer.start()) {
            String answer = exchange(server.port(), "GET /rooms HTTP/1.1\r\nHost: x\r\nX-A: b", true);
            assertThat(answer).startsWith("HTTP/1.1 400 ").contains("\"error\":\"invalid_request\"");
            assertThat(new Http(server.port()).get("/health", null).statusCode()).isEqualTo(200);
        } finally {
            requests.removeHandler(log);
        }
        assertThat(log.records).extracting(LogRecord::getMessage).noneMatch(m -> m.contains(" 500 "));
    }

    /** Sends {@code request} (closing the sending side after it when {@code halfClose}) and reads to the end. */
    private static String exchange(int port, String request, boolean halfClose) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
