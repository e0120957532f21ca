package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(s -> s.origins("https://app.example"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static int status(String path, String... headers) throws Exception {
        try (RawWsClient client = RawWsClient.handshake(server.port(), path, 0, headers)) {
            return client.status;
        }
    }

    @Test
    void theUpgradeValueIsComparedWithoutRegardToCaseAndMayBeAList() throws Exception {
        for (String upgrade : List.of("WebSocket", "WEBSOCKET", "websocket", "websocket, foo", "h2c,  WebSocket")) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(5_000);
                String request = "GET /ws?token=" + Tokens.user("casey") + " HTTP/1.1\r\nHost: x\r\nUpgrade: "
                        + upgrade + "\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                        + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n\r\n";
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertThat(statusLine).as(upgrade).startsWith("HTTP/1.1 101 ");
            }
        }
    }

    /** The whole answer to an upgrade request for {@code path} with these header lines for key and version. */
    private static String upgrade(String path, String... lines) {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\n");
        for (String line : lines) {
            request.append(line).append("\r\n");
        }
        return new Http(server.port()).raw(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aKeyThatIsNotTheBase64OfSixteenBytesIsABadRequest() {
        String path = "/ws?token=" + Tokens.user("alice");
        Base64.Encoder base64 = Base64.getEncoder();
        for (String key : List.of("short", "a", "!!!!!!!!!!!!!!!!!!!!!!!!", base64.encodeToString(new byte[15]),
                base64.encodeToString(new byte[17]), base64.withoutPadding().encodeToString(new byte[16]),
                base64.encodeToString(new byte[16]) + "=")) {
            assertThat(upgrade(path, "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + key)).as(key)
                    .startsWith("HTTP/1.1 400 ").endsWith("{\"error\":\"invalid_request\","
                            + "\"message\":\"Sec-WebSocket-Key must be the base64 of 16 bytes\"}");
        }
        assertThat(upgrade("/ws?token=garbage", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: short"))
                .startsWith("HTTP/1.1 401 ");
    }

    @Test
    void aHandshakeWithoutVersionThirteenIsAnsweredUpgradeRequiredWithTheVersion() {
        String key = "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]);
        for (String version : List.of("", "Sec-WebSocket-Version: 8", "Sec-WebSocket-Version: 14")) {
            String answer = version.isEmpty() ? upgrade("/ws?token=" + Tokens.user("alice"), key)
                    : upgrade("/ws?token=" + Tokens.user("alice"), version, key);
            assertThat(answer).as(version).startsWith("HTTP/1.1 426 ")
                    .containsIgnoringCase("\r\nSec-WebSocket-Version: 13\r\n")
                    .endsWith("{\"error\":\"invalid_request\",\"message\":\"Sec-WebSocket-Version 13 is required\"}");
        }
        assertThat(upgrade("/ws?token=" + Tokens.user("alice"), "Sec-WebSocket-Version: 13", key))
                .startsWith("HTTP/1.1 101 ");
    }

    @Test
    void badOrMissingTokensGet401BeforeTheUpgrade() throws Exception {
        assertThat(status("/ws")).isEqualTo(401);
        assertThat(status("/ws?token=")).isEqualTo(401);
        assertThat(status("/ws?token=garbage")).isEqualTo(401);
        assertThat(status("/ws?token=" + Tokens.none("alice"))).isEqualTo(401);
        assertThat(status("/ws?token=" + Tokens.expiringIn("alice", Duration.ofMinutes(-5)))).isEqualTo(401);
        assertThat(status("/ws?token=" + Tokens.user("system"))).isEqualTo(401);
        assertThat(status("/ws?token=" + Tokens.sign(new JWTClaimsSet.Builder().claim("role", "admin").build())))
                .isEqualTo(401);
        assertThat(status("/ws", "Authorization", "Bearer nope")).isEqualTo(401);
    }

    @Test
    void aTokenOfTwentyKilobytesIsReadFromTheQueryAndTheHeader() throws Exception {
        String big = Tokens.sign(new JWTClaimsSet.Builder().subject("alice").claim("groups", "g".repeat(15_000)).build());
        assertThat(big.length()).isGreaterThan(20_000);
        assertThat(status("/ws?token=" + big)).isEqualTo(101);
        assertThat(status("/ws", "Authorization", "Bearer " + big)).isEqualTo(101);
        assertThat(status("/ws?token=" + "x".repeat(20_000))).isEqualTo(401);
    }

    @Test
    void aValidTokenUpgradesFromQueryOrHeaderAndTheQueryWins() throws Exception {
        assertThat(status("/ws?token=" + Tokens.user("alice"))).isEqualTo(101);
        assertThat(status("/ws", "Authorization", "Bearer " + Tokens.user("alice"))).isEqualTo(101);
        assertThat(status("/ws?token=" + Tokens.user("alice"), "Authorization", "Bearer nope")).isEqualTo(101);
        assertThat(status("/ws?token=nope", "Authorization", "Bearer " + Tokens.user("alice"))).isEqualTo(401);
    }

    @Test
    void successfulUpgradesAreLoggedAtFineAndRefusedOnesAtInfo() throws Exception {
        CollectingHandler handler = new CollectingHandler();
        List<LogRecord> records = handler.records;
        Logger logger = Logger.getLogger("io.chatapi.http");
        Level before = logger.getLevel();
        logger.addHandler(handler);
        logger.setLevel(Level.FINE);
        try {
            assertThat(status("/ws?token=" + Tokens.user("alice"))).isEqualTo(101);
            assertThat(status("/ws?token=garbage")).isEqualTo(401);
            // refused by Helidon's own Origin check, before any filter: logged all the same, without the query
            assertThat(status("/ws?token=" + Tokens.user("alice"), "Origin", "https://evil.example")).isEqualTo(403);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lines(records)
                    .containsAll(List.of("FINE GET /ws 101", "INFO GET /ws 401", "INFO GET /ws 403")));
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(before);
        }
        // an upgrade's line is written when its socket ends: sockets of earlier tests may add theirs, all FINE 101
        assertThat(lines(records)).filteredOn(line -> !line.equals("FINE GET /ws 101"))
                .containsExactlyInAnyOrder("INFO GET /ws 401", "INFO GET /ws 403");
    }

    private static List<String> lines(List<LogRecord> records) {
        return records.stream().map(r -> r.getLevel() + " " + r.getMessage().replaceAll(" \\d+ms$", "")).toList();
    }

    @Test
    void acceptedSocketsHaveNagleTurnedOff() {
        assertThat(server.server.tcpNoDelay()).isTrue();
    }

    @Test
    void acceptedSocketsAreBlockingOnesWithASingleReadBuffer() {
        assertThat(server.server.blockingSockets()).isTrue();
    }

    @Test
    void aPlainRequestToTheSocketPathIsABadRequest() {
        Http http = new Http(server.port());
        assertThat(http.get("/ws", Tokens.user("alice")).statusCode()).isEqualTo(400);
        assertThat(http.get("/ws", null).statusCode()).isEqualTo(401);
    }

    @Test
    void browserOriginsAreCheckedBeforeTheUpgrade() throws Exception {
        String path = "/ws?token=" + Tokens.user("alice");
        assertThat(status(path, "Origin", "https://evil.example")).isEqualTo(403);
        assertThat(status(path, "Origin", "http://127.0.0.1:" + server.port())).isEqualTo(403);
        assertThat(status(path, "Origin", "https://app.example")).isEqualTo(101);
        assertThat(status(path)).isEqualTo(101);
        // the header the Origin is moved to cannot be sent in its place
        assertThat(status(path, "Origin", "https://evil.example", "X-ChatAPI-Socket-Origin", "https://app.example"))
                .isEqualTo(403);
    }

    @Test
    void everyOriginPassesWhenAllAreAllowedAndNoneWhenNoneAre() throws Exception {
        try (TestServer any = TestServer.start(s -> s.origins("*"));
             TestServer none = TestServer.start(s -> s.origins())) {
            String path = "/ws?token=" + Tokens.user("alice");
            try (RawWsClient c = RawWsClient.handshake(any.port(), path, 0, "Origin", "https://anything.example")) {
                assertThat(c.status).isEqualTo(101);
            }
            try (RawWsClient c = RawWsClient.handshake(none.port(), path, 0, "Origin", "https://app.example")) {
                assertThat(c.status).isEqualTo(403);
            }
            try (RawWsClient c = RawWsClient.handshake(none.port(), path, 0,
                    "Origin", "http://127.0.0.1:" + none.port())) {
                assertThat(c.status).isEqualTo(403);
            }
            try (RawWsClient c = RawWsClient.handshake(none.port(), path, 0)) {
                assertThat(c.status).isEqualTo(101);
            }
        }
    }
}
