package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * A real browser (headless Chromium) using the server the way a web application does: a page served from its
 * own origin calls the REST API with a bearer token (CORS, preflight included) and holds one WebSocket
 * authenticated by the token in its URL. The page posts what it saw back to the server that served it.
 */
class BrowserTest {
    private static final String TEXT = "Grüße aus dem Browser 👋 <b>&</b>";

    @Test
    void aPageOnAnAllowedOriginChatsOverRestAndOneSocket() throws Exception {
        try (Page page = new Page();
             var server = TestServer.start(Map.of("ALLOWED_ORIGINS", page.origin()));
             WsClient bob = server.ws(Tokens.user("bob"))) {
            String url = page.url("chat", server.port(), Tokens.user("alice"), Map.of("me", "alice", "peer", "bob", "text", TEXT));
            try (Chromium browser = Chromium.open(url)) {
                JsonNode fromBrowser = bob.await(e -> "message".equals(e.path("type").asText())
                        && "alice".equals(e.path("sender_id").asText()), "the browser's message");
                assertThat(fromBrowser.path("content").asText()).isEqualTo(TEXT);
                String room = fromBrowser.path("room_id").asText();
                bob.send("send_message", Map.of("room_id", room, "content", "hello, browser"));
                JsonNode report = page.report(browser);

                assertThat(report.path("create").path("status").asInt()).as("POST /rooms from the page").isEqualTo(200);
                assertThat(report.path("create").path("body").path("room_id").asText()).isEqualTo(room);
                assertThat(report.path("bad_token").path("opened").asBoolean()).isFalse();
                assertThat(report.path("bad_token").path("code").asInt()).isEqualTo(1006);

                List<String> types = new ArrayList<>();
                report.path("frames").forEach(f -> types.add(f.path("type").asText()));
                assertThat(types).containsSubsequence("message", "message.sent", "message", "error", "pong");
                JsonNode own = frame(report, "message", 0);
                assertThat(own.path("content").asText()).isEqualTo(TEXT);
                assertThat(own.path("seq").asLong()).isEqualTo(1);
                JsonNode sent = frame(report, "message.sent", 0);
                assertThat(sent.path("client_msg_id").asText()).isEqualTo("browser-1");
                assertThat(sent.path("message_id").asText()).isEqualTo(own.path("message_id").asText());
                JsonNode reply = frame(report, "message", 1);
                assertThat(reply.path("sender_id").asText()).isEqualTo("bob");
                assertThat(reply.path("content").asText()).isEqualTo("hello, browser");
                assertThat(reply.path("seq").asLong()).isEqualTo(2);
                assertThat(frame(report, "error", 0).path("data").path("code").asText()).isEqualTo("invalid_frame");
                assertThat(report.path("close").path("code").asInt()).as("closed by the page after the pong; the page saw %s", report)
                        .isEqualTo(1000);
                assertThat(report.path("timed_out").asBoolean()).isFalse();
            }

            var history = server.rest().get("/rooms/" + bob.find("message").path("room_id").asText() + "/messages",
                    Tokens.user("bob"));
            List<String> stored = new ArrayList<>();
            history.json().path("messages").forEach(m -> stored.add(m.path("content").asText()));
            assertThat(stored).containsExactly(TEXT, "hello, browser");
        }
    }

    @Test
    void aPageOnAnotherOriginGetsNeitherTheApiNorASocket() throws Exception {
        String token = Tokens.user("mallory");
        try (Page allowed = new Page();
             Page other = new Page();
             var server = TestServer.start(Map.of("ALLOWED_ORIGINS", allowed.origin()));
             LogCapture log = LogCapture.open(Level.INFO)) {
            try (Chromium browser = Chromium.open(other.url("refused", server.port(), token, Map.of()))) {
                JsonNode report = other.report(browser);
                assertThat(report.path("origin").asText()).isEqualTo(other.origin());
                assertThat(report.path("list").path("error").asText()).as("fetch refused by CORS").isEqualTo("TypeError");
                assertThat(report.path("socket").path("opened").asBoolean()).isFalse();
                assertThat(report.path("socket").path("code").asInt()).isEqualTo(1006);
            }
            assertThat(log.lines()).as("the refused upgrade is logged, without its token")
                    .anyMatch(line -> line.startsWith("GET /ws 403"))
                    .noneMatch(line -> line.contains(token));
            assertThat(server.rest().get("/rooms", Tokens.user("mallory")).status())
                    .as("the server still answers").isEqualTo(200);
        }
    }

    private static JsonNode frame(JsonNode report, String type, int index) {
        int seen = 0;
        for (JsonNode frame : report.path("frames")) {
            if (type.equals(frame.path("type").asText()) && seen++ == index) {
                return frame;
            }
        }
        throw new AssertionError("no " + type + " #" + index + " in " + report.path("frames"));
    }

    /** The web application's own origin: serves the page and receives its report. */
    private static final class Page implements AutoCloseable {
        private final HttpServer http;
        private final CompletableFuture<JsonNode> report = new CompletableFuture<>();

        Page() throws IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/chat.html", exchange -> {
                try (exchange; InputStream page = BrowserTest.class.getResourceAsStream("/browser/chat.html")) {
                    byte[] body = page.readAllBytes();
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            });
            http.createContext("/report", exchange -> {
                try (exchange) {
                    report.complete(WsClient.JSON.readTree(exchange.getRequestBody().readAllBytes()));
                    exchange.sendResponseHeaders(204, -1);
                }
            });
            http.start();
        }

        String origin() {
            return "http://127.0.0.1:" + http.getAddress().getPort();
        }

        String url(String mode, int apiPort, String token, Map<String, String> more) {
            StringBuilder url = new StringBuilder(origin()).append("/chat.html?mode=").append(mode)
                    .append("&api=").append(encode("http://127.0.0.1:" + apiPort))
                    .append("&token=").append(encode(token));
            more.forEach((k, v) -> url.append('&').append(k).append('=').append(encode(v)));
            return url.toString();
        }

        JsonNode report(Chromium browser) throws Exception {
            try {
                return report.get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("no report from the page in 30 s; Chromium said:\n" + browser.log(), e);
            }
        }

        private static String encode(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}
