package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.domain.RoomType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Answers a client does not read. Each piece of an answer must be taken within the request time (1 s here), or the
 * connection is closed; the bytes of large answers being written are bounded (20 MB here, 5 MB for one user), and
 * an answer over that is 503 with {@code Retry-After} until the others are written or cut.
 */
class UnreadAnswersTest {
    private static final String ALICE = Tokens.user("alice");
    private static final String BOB = Tokens.user("bob");
    private static final String CAROL = Tokens.user("carol");
    /** A page of 20 messages of 400,000 characters: 8 MB, more than the kernel's buffers hold (4 MB and a little). */
    private static final String PAGE = "/rooms/room_big/messages?limit=20";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(s -> s.requestTimeout(Duration.ofSeconds(1)).answerBudgetBytes(20_000_000));
        server.chat.room("room_big", RoomType.GROUP, "alice", "bob", "carol");
        for (int i = 0; i < 20; i++) {
            server.chat.stored("room_big", "alice", Character.toString('a' + i).repeat(400_000));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aClientThatStopsReadingIsCutAndTheServerForgetsItsAnswer() throws Exception {
        Logger requests = Logger.getLogger("io.chatapi.http");
        CollectingHandler log = new CollectingHandler();
        requests.addHandler(log);
        try (Socket stalled = unreadSocket()) {
            request(stalled, PAGE, ALICE);
            Thread.sleep(500);
            assertThat(server.server.answersBeingWritten()).as("the write blocks on the unread socket").isEqualTo(1);
            Thread.sleep(2_500);
            assertThat(server.server.answersBeingWritten()).as("cut after 1 s without progress").isZero();
            assertThat(readAll(stalled)).as("a part of the answer, then the end of the connection")
                    .isLessThan(8_000_000);
        } finally {
            requests.removeHandler(log);
        }
        assertThat(log.records.stream().map(LogRecord::getMessage).filter(line -> line.startsWith("GET /rooms/")))
                .singleElement().asString().matches("GET /rooms/room_big/messages 200 \\d+ms cut short");
        assertThat(fetch(PAGE, BOB)).as("another client still gets the whole page").startsWith("HTTP/1.1 200 ")
                .contains("\"seq\":20");
    }

    @Test
    void aSlowClientThatKeepsReadingGetsTheWholeAnswer() throws Exception {
        try (Socket slow = unreadSocket()) {
            slow.getOutputStream().write(("GET " + PAGE + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALICE
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = slow.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[256 * 1024];
            long start = System.nanoTime();
            for (int n; (n = in.read(buffer)) > 0; ) {
                answer.write(buffer, 0, n);
                // at most 4 MB a second: the 8 MB take two seconds, twice the request time
                long due = start + answer.size() * 250L;
                Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
            }
            String text = answer.toString(StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 200 ").contains("\"seq\":20").endsWith("]}");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("longer than one request time in all")
                    .isGreaterThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void answersOverTheBudgetAre503UntilTheUnreadOnesAreCut() throws Exception {
        try (Socket first = unreadSocket(); Socket second = unreadSocket()) {
            request(first, PAGE, ALICE);
            Thread.sleep(300);
            request(second, PAGE, BOB);
            Thread.sleep(300);
            assertThat(server.server.answersBeingWritten()).isEqualTo(2);
            String refused = fetch(PAGE, CAROL);
            assertThat(refused).as("24 MB would be written at once").startsWith("HTTP/1.1 503 ")
                    .containsIgnoringCase("Retry-After: 1")
                    .endsWith("{\"error\":\"internal_error\",\"message\":\"service temporarily unavailable, retry later\"}");
            assertThat(fetch("/rooms/room_big", CAROL)).as("small answers are not counted").startsWith("HTTP/1.1 200 ");
            Thread.sleep(2_500);
            assertThat(fetch(PAGE, CAROL)).as("once the unread ones are cut").startsWith("HTTP/1.1 200 ")
                    .endsWith("]}");
        }
    }

    @Test
    void oneUsersSecondLargeAnswerWaitsForTheirFirst() throws Exception {
        try (Socket first = unreadSocket()) {
            request(first, PAGE, ALICE);
            Thread.sleep(300);
            assertThat(fetch(PAGE, ALICE)).as("over a quarter of the budget for one user").startsWith("HTTP/1.1 503 ");
            assertThat(fetch(PAGE, BOB)).as("another user's").startsWith("HTTP/1.1 200 ");
        }
    }

    /** A socket whose receive buffer is small, so that an answer it does not read stops at once. */
    private static Socket unreadSocket() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        return socket;
    }

    private static void request(Socket socket, String path, String token) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** The answer to one request on a connection of its own, read to the end. */
    private static String fetch(String path, String token) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** Bytes read until the end of the stream, or until the connection was reset. */
    private static long readAll(Socket socket) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
                total += n;
            }
        } catch (SocketException reset) {
            // the server closed the socket with unread data: a reset, as good as an end here
        }
        return total;
    }
}
