package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** {@code ALLOWED_ORIGINS} as a list and as {@code *}: WebSocket upgrades and CORS answers from the real server. */
class OriginAndCorsTest {
    private static final String APP = "https://app.example";
    private static final String ADMIN_UI = "https://admin.example";
    private static final String EVIL = "https://evil.example";

    @Test
    void aListAllowsOnlyItsOriginsAndRequestsWithoutAnOrigin() throws Exception {
        try (var server = TestServer.start(Map.of("ALLOWED_ORIGINS", APP + "," + ADMIN_UI))) {
            String path = "/ws?token=" + Tokens.user("listed");
            assertThat(RawUpgrade.status(server.port(), path, APP)).isEqualTo(101);
            assertThat(RawUpgrade.status(server.port(), path, ADMIN_UI)).isEqualTo(101);
            assertThat(RawUpgrade.status(server.port(), path, EVIL)).isEqualTo(403);
            assertThat(RawUpgrade.status(server.port(), path, "http://app.example")).isEqualTo(403);
            assertThat(RawUpgrade.status(server.port(), path, null)).isEqualTo(101);
            assertThat(RawUpgrade.status(server.port(), "/ws?token=bad", APP)).isEqualTo(401);
            assertThat(pongThrough(server.port(), "browser", APP)).isEqualTo("{\"type\":\"pong\"}");

            Rest rest = server.rest();
            var allowed = rest.call("GET", "/rooms", Tokens.user("listed"), null, Map.of("Origin", APP));
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
            assertThat(allowed.headers().allValues("Vary")).anyMatch(v -> v.contains("Origin"));
            var refused = rest.call("GET", "/rooms", Tokens.user("listed"), null, Map.of("Origin", EVIL));
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            var preflight = rest.call("OPTIONS", "/rooms/x/messages", null, null,
                    Map.of("Origin", ADMIN_UI, "Access-Control-Request-Method", "PUT"));
            assertThat(preflight.status()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ADMIN_UI);
        }
    }

    /** Each refused browser origin is named in the log, once a minute at most, so that the fix is plain. */
    @Test
    void eachRefusedOriginIsNamedInTheLogOnceAMinuteAtMost() throws Exception {
        try (var server = TestServer.start(Map.of()); LogCapture log = LogCapture.open(Level.INFO)) {
            String dev = "http://localhost:3000";
            var preflight = server.rest().call("OPTIONS", "/rooms", null, null,
                    Map.of("Origin", dev, "Access-Control-Request-Method", "POST"));
            assertThat(preflight.status()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            assertThat(RawUpgrade.status(server.port(), "/ws?token=" + Tokens.user("dev"), EVIL)).isEqualTo(403);
            assertThat(RawUpgrade.status(server.port(), "/ws?token=" + Tokens.user("dev"), dev)).isEqualTo(403);
            assertThat(RawUpgrade.status(server.port(), "/ws?token=" + Tokens.user("dev"), EVIL)).isEqualTo(403);

            assertThat(log.lines()).filteredOn(line -> line.contains("refused the browser origin"))
                    .containsExactly("refused the browser origin " + dev + ": ALLOWED_ORIGINS does not list it",
                            "refused the browser origin " + EVIL + ": ALLOWED_ORIGINS does not list it");
        }
    }

    /** Why a token was refused is logged at INFO, once a minute at most, and the token never is. */
    @Test
    void aRefusedTokenIsExplainedInTheLogOnceAMinuteAtMost() throws Exception {
        try (var server = TestServer.start(Map.of()); LogCapture log = LogCapture.open(Level.INFO)) {
            String expired = Tokens.token("late", null, Instant.now().minus(Duration.ofHours(1)));
            Rest rest = server.rest();
            assertThat(rest.get("/rooms", expired).status()).isEqualTo(401);
            String forged = Tokens.user("forged").substring(0, Tokens.user("forged").lastIndexOf('.') + 1) + "AAAA";
            assertThat(rest.get("/rooms", forged).status()).isEqualTo(401);
            assertThat(RawUpgrade.status(server.port(), "/ws?token=" + forged, null)).isEqualTo(401);

            List<String> lines = log.lines().stream().filter(line -> line.contains("refused a token")).toList();
            assertThat(lines).hasSize(1);
            assertThat(lines.getFirst()).startsWith("refused a token: claims refused: Expired JWT")
                    .doesNotContain(expired.substring(expired.lastIndexOf('.') + 1));
        }
    }

    @Test
    void aWildcardAllowsEveryOrigin() throws Exception {
        try (var server = TestServer.start(Map.of("ALLOWED_ORIGINS", "*"))) {
            String path = "/ws?token=" + Tokens.user("anyone");
            for (String origin : new String[] {APP, EVIL, "null", "http://localhost:3000"}) {
                assertThat(RawUpgrade.status(server.port(), path, origin)).as(origin).isEqualTo(101);
            }
            assertThat(RawUpgrade.status(server.port(), path, null)).isEqualTo(101);
            assertThat(RawUpgrade.status(server.port(), "/ws?token=bad", EVIL)).isEqualTo(401);
            assertThat(pongThrough(server.port(), "browser", EVIL)).isEqualTo("{\"type\":\"pong\"}");

            var answer = server.rest().call("GET", "/rooms", Tokens.user("anyone"), null, Map.of("Origin", EVIL));
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.headers().firstValue("Access-Control-Allow-Origin").orElse(""))
                    .isIn("*", EVIL);
            var preflight = server.rest().call("OPTIONS", "/rooms", null, null,
                    Map.of("Origin", EVIL, "Access-Control-Request-Method", "POST"));
            assertThat(preflight.status()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
        }
    }

    /** Opens a real socket sending {@code Origin}, sends a ping and returns the first text frame (the pong). */
    private static String pongThrough(int port, String user, String origin) {
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().header("Origin", origin)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + Tokens.user(user)),
                        new WebSocket.Listener() {
                            private final StringBuilder text = new StringBuilder();

                            @Override
                            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                                text.append(data);
                                if (last) {
                                    String frame = text.toString();
                                    text.setLength(0);
                                    if (frame.contains("\"pong\"")) {
                                        first.complete(frame);
                                    }
                                }
                                ws.request(1);
                                return null;
                            }

                            @Override
                            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                                first.completeExceptionally(new AssertionError("closed " + code + " " + reason));
                                return null;
                            }

                            @Override
                            public void onError(WebSocket ws, Throwable error) {
                                first.completeExceptionally(error);
                            }
                        })
                .orTimeout(10, TimeUnit.SECONDS).join();
        try {
            socket.sendText("{\"type\":\"ping\"}", true).exceptionally(e -> null).orTimeout(10, TimeUnit.SECONDS).join();
            return first.orTimeout(10, TimeUnit.SECONDS).join();
        } finally {
            socket.abort();
        }
    }
}
