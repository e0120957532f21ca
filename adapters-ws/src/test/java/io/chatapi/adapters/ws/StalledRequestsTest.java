package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.domain.RoomType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request whose headers or body stop arriving part-way is answered 408 and its connection closed once the
 * request time (1 s here) has passed since its request line; requests that arrive whole, and WebSockets, are not
 * touched by it.
 */
class StalledRequestsTest {
    private static final String ALICE = Tokens.user("alice");
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(s -> s.requestTimeout(Duration.ofSeconds(1)));
        server.chat.room("room_ab", RoomType.GROUP, "alice", "bob");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aBodyThatStopsArrivingIs408AndStoresNothing() throws Exception {
        int before = server.chat.messagesIn("room_ab");
        List<String> logged = logged(() -> {
            try (Socket socket = connect()) {
                send(socket, "POST /rooms/room_ab/messages?token=secret HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + ALICE + "\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n{\"con");
                long start = System.nanoTime();
                String answer = readToEnd(socket);
                long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertThat(answer).startsWith("HTTP/1.1 408 ").contains("Connection: close").endsWith(
                        "{\"error\":\"invalid_request\",\"message\":\"the request did not arrive in time\"}");
                assertThat(waited).as("ms until the answer").isBetween(500L, 5_000L);
            }
        }, "POST /rooms/room_ab/messages ");
        assertThat(server.chat.messagesIn("room_ab")).isEqualTo(before);
        assertThat(logged).as("one line, with the status the client got").singleElement().asString()
                .matches("POST /rooms/room_ab/messages 408 \\d+ms");
    }

    @Test
    void headersThatStopArrivingAre408() throws Exception {
        List<String> logged = logged(() -> {
            try (Socket socket = connect()) {
                send(socket, "GET /rooms/room_ab HTTP/1.1\r\nHost: x\r\n");
                assertThat(readToEnd(socket)).startsWith("HTTP/1.1 408 ");
            }
        }, "GET /rooms/room_ab ");
        assertThat(logged).singleElement().asString().matches("GET /rooms/room_ab 408 \\d+ms");
    }

    /** What the request log said, in lines starting with {@code prefix}, while {@code action} ran and 1 s after. */
    private static List<String> logged(ThrowingRunnable action, String prefix) throws Exception {
        Logger requests = Logger.getLogger("io.chatapi.http");
        CollectingHandler handler = new CollectingHandler();
        requests.addHandler(handler);
        try {
            action.run();
            Thread.sleep(1_000); // the route's own line, had it come, comes once the cut ends its body's reading
        } finally {
            requests.removeHandler(handler);
        }
        return handler.records.stream().map(LogRecord::getMessage).filter(line -> line.startsWith(prefix)).toList();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aRequestThatArrivesWholeIsAnsweredAndItsConnectionKeptPastTheRequestTime() throws Exception {
        try (Socket socket = connect()) {
            String request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
            send(socket, request);
            assertThat(readAnswer(socket)).startsWith("HTTP/1.1 200 ");
            Thread.sleep(2_000); // idle between requests: Helidon's own idle check, not this one, looks after that
            send(socket, request);
            assertThat(readAnswer(socket)).startsWith("HTTP/1.1 200 ");
        }
        assertThat(server.server.stalledRequests()).isZero();
    }

    @Test
    void aWebSocketOutlivesTheRequestTime() throws Exception {
        try (WsClient client = WsClient.connect(server.port(), ALICE)) {
            Thread.sleep(2_000);
            client.assertAlive();
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    private static String readToEnd(Socket socket) throws IOException {
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** One answer with a Content-Length body, read no further. */
    private static String readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
