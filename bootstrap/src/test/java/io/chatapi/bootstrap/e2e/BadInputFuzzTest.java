package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * Random bad input against the real server, from a fixed seed (set {@code -Dfuzz.seed=…} to explore others):
 * frames and REST requests built from valid ones with fields dropped, retyped or replaced by odd values, and raw
 * text that is not the JSON it claims to be. Every answer must be a success or a 4xx / {@code error} frame with a
 * code; the socket stays open, nothing is logged at SEVERE or with a stack trace, and every message the server
 * reported as stored is stored, and nothing else.
 */
class BadInputFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20261126L);
    private static final int FRAMES = Integer.getInteger("fuzz.frames", 1500);
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 1500);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> ERROR_CODES = Set.of("unauthorized", "invalid_request", "invalid_frame",
            "unknown_type", "forbidden", "not_found", "conflict", "payload_too_large");
    private static final Set<String> EVENTS = Set.of("message", "message.sent", "ack.received", "typing",
            "presence.update", "resume.done", "pong", "auth.refreshed", "error");

    private final Random random = new Random(SEED);

    @Test
    void framesFromABadClientGetErrorsAndTheSocketStaysOpen() throws Exception {
        try (var server = TestServer.start(Map.of("ALLOWED_ORIGINS", "*"));
             LogCapture log = LogCapture.open(Level.WARNING)) {
            String ours = room(server, "alice", "bob");
            String theirs = room(server, "bob", "carol");
            Set<Long> reportedStored = new HashSet<>();
            try (WsClient alice = server.ws(Tokens.user("alice"))) {
                for (int i = 0; i < FRAMES; i++) {
                    String frame = badFrame(i, ours, theirs);
                    alice.send(frame);
                    alice.send("{\"type\":\"ping\"}");
                    List<JsonNode> answers = new ArrayList<>();
                    JsonNode answer;
                    do {
                        answer = alice.await(e -> true, "an answer to frame #" + i + " (seed " + SEED + "): " + clip(frame));
                        answers.add(answer);
                    } while (!"pong".equals(answer.path("type").asText()) || answers.size() == 1 && isPing(frame));
                    for (JsonNode event : answers) {
                        String type = event.path("type").asText();
                        assertThat(EVENTS).as("event %s answering %s (seed %d)", event, clip(frame), SEED).contains(type);
                        if ("error".equals(type)) {
                            assertThat(ERROR_CODES).as("error code answering %s (seed %d)", clip(frame), SEED)
                                    .contains(event.path("data").path("code").asText());
                            assertThat(event.path("data").path("message").asText()).isNotBlank();
                        }
                        if ("message".equals(type) && "alice".equals(event.path("sender_id").asText())) {
                            assertThat(event.path("room_id").asText()).isEqualTo(ours);
                            reportedStored.add(event.path("seq").asLong());
                        }
                    }
                    assertThat(alice.isClosed()).as("socket open after %s (seed %d)", clip(frame), SEED).isFalse();
                }
                for (JsonNode late : alice.drain(Duration.ofMillis(300))) {
                    if ("message".equals(late.path("type").asText()) && "alice".equals(late.path("sender_id").asText())) {
                        reportedStored.add(late.path("seq").asLong());
                    }
                }
            }
            assertThat(storedSeqs(server, ours)).as("stored messages are those the socket reported, seed %d", SEED)
                    .isEqualTo(reportedStored);
            assertThat(storedSeqs(server, theirs)).isEmpty();
            assertThat(log.lines()).as("nothing logged as a failure (seed %d)", SEED).isEmpty();
            assertThat(server.rest().get("/health", null).status()).isEqualTo(200);
        }
    }

    @Test
    void requestsFromABadClientGet4xxWithACodeNever5xx() throws Exception {
        try (var server = TestServer.start(Map.of("ALLOWED_ORIGINS", "https://app.example"));
             LogCapture log = LogCapture.open(Level.WARNING)) {
            String ours = room(server, "alice", "bob");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            int sent = 0;
            for (int i = 0; i < REQUESTS; i++) {
                HttpRequest request;
                try {
                    request = badRequest(server.port(), ours);
                } catch (IllegalArgumentException e) {
                    continue; // a URI or header the client itself will not send
                }
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                sent++;
                String what = request.method() + " " + request.uri() + " #" + i + " (seed " + SEED + ")";
                assertThat(response.statusCode()).as(what).isBetween(200, 499);
                if (response.statusCode() >= 400 && !"HEAD".equals(request.method())) {
                    JsonNode body = WsClient.JSON.readTree(response.body());
                    assertThat(body.path("error").isTextual()).as("error code of %s: %s", what, response.body()).isTrue();
                    assertThat(body.path("message").isTextual()).as("message of %s", what).isTrue();
                }
            }
            assertThat(sent).isGreaterThan(REQUESTS / 2);
            assertThat(log.lines()).as("nothing logged as a failure (seed %d)", SEED).isEmpty();
            assertThat(server.rest().get("/health", null).status()).isEqualTo(200);
            assertThat(server.rest().get("/rooms/" + ours, Tokens.user("alice")).status()).isEqualTo(200);
        }
    }

    // ---- frames

    private String badFrame(int n, String ours, String theirs) {
        if (random.nextInt(6) == 0) {
            return rawText();
        }
        ObjectNode frame = validFrame(n, ours, theirs);
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            mutate(frame);
        }
        return frame.toString();
    }

    private ObjectNode validFrame(int n, String ours, String theirs) {
        String room = pick(ours, ours, ours, theirs, "room_missing");
        ObjectNode frame = NODES.objectNode();
        ObjectNode data = NODES.objectNode();
        switch (random.nextInt(8)) {
            case 0, 1 -> {
                frame.put("type", "send_message");
                data.put("room_id", room).put("content", "fuzz " + n);
                if (random.nextBoolean()) {
                    data.put("client_msg_id", "c" + random.nextInt(50));
                }
                if (random.nextBoolean()) {
                    data.put("meta", "{\"k\":1}");
                }
            }
            case 2 -> {
                frame.put("type", "ack");
                data.put("room_id", room).put("seq", random.nextInt(5));
            }
            case 3 -> {
                frame.put("type", pick("typing.start", "typing.stop"));
                data.put("room_id", room);
            }
            case 4 -> frame.put("type", "ping");
            case 5 -> {
                frame.put("type", "resume");
                data.putObject("rooms").put(room, random.nextInt(3));
            }
            case 6 -> {
                frame.put("type", "stream.cancel");
                data.put("room_id", room).put("message_id", "msg_" + random.nextInt(1000));
            }
            default -> {
                frame.put("type", "auth.refresh");
                // a refresh may change the role, so every token offered is alice's as a plain user, someone else's, or not one
                data.put("token", pick(Tokens.user("alice"), Tokens.user("mallory"),
                        Tokens.token("alice", null, Instant.now().minusSeconds(3600)), "x.y.z", ""));
            }
        }
        if (!data.isEmpty() || random.nextBoolean()) {
            frame.set("data", data);
        }
        return frame;
    }

    private void mutate(ObjectNode frame) {
        ObjectNode target = frame.path("data") instanceof ObjectNode data && random.nextInt(3) > 0 ? data : frame;
        List<String> names = new ArrayList<>();
        target.fieldNames().forEachRemaining(names::add);
        switch (random.nextInt(4)) {
            case 0 -> {
                if (!names.isEmpty()) {
                    target.remove(names.get(random.nextInt(names.size())));
                }
            }
            case 1 -> target.set(pick("extra", "type", "data", "room_id", "content", "seq", "rooms"), value(0));
            default -> {
                if (!names.isEmpty()) {
                    target.set(names.get(random.nextInt(names.size())), value(0));
                }
            }
        }
    }

    /** Text that is not a well-formed frame: broken JSON, another top-level value, escapes, deep nesting, sizes. */
    private String rawText() {
        return switch (random.nextInt(12)) {
            case 0 -> "";
            case 1 -> pick("null", "[]", "42", "\"send_message\"", "true", "{}", "{\"type\":null}");
            case 2 -> "{\"type\":\"send_message\",\"data\":{\"room_id\":\"r\",\"content\":\"unfinished";
            case 3 -> "{\"type\":\"send_message\",\"data\":{\"content\":\"\\ud800\\udc00\\ud800\",\"room_id\":\"x\"}}";
            case 4 -> "[".repeat(2000 + random.nextInt(3000)) + "]".repeat(10);
            case 5 -> "{\"type\":\"ping\",\"data\":" + "{\"a\":".repeat(1500) + "1" + "}".repeat(1501);
            case 6 -> "{\"type\":\"send_message\",\"data\":{\"room_id\":\"r\",\"content\":\"" + "x".repeat(70_000) + "\"}}";
            case 7 -> "{\"type\":\"ack\",\"data\":{\"room_id\":\"r\",\"seq\":1e999999}}";
            case 8 -> "{\"type\":\"ping\"} trailing";
            case 9 -> "{\"type\":\"ping\",\"type\":\"send_message\"}";
            case 10 -> "{'type':'ping'}";
            default -> randomString(1 + random.nextInt(40));
        };
    }

    // ---- requests

    private HttpRequest badRequest(int port, String ours) {
        String room = pick(ours, ours, "room_missing", "%00", "..", "x".repeat(3000), "%F0%9F%92%AC", "%zz", "a%2Fb");
        String path = pick("/rooms", "/rooms/" + room, "/rooms/" + room + "/members", "/rooms/" + room + "/messages",
                "/rooms/" + room + "/messages/msg_" + random.nextInt(100), "/rooms/" + room + "/handoff", "/acks",
                "/bots", "/bots/" + room, "/admin/dead-letters", "/health", "/metrics", "/ws", "/", "//rooms",
                "/rooms/" + room + "/messages/");
        if (random.nextInt(3) == 0) {
            path += pick("?limit=abc", "?limit=-1", "?limit=99999999999999999999", "?after_seq=-5&limit=0",
                    "?after_seq=1e3", "?limit=%00", "?token=x", "?limit=1&limit=2");
        }
        String method = pick("GET", "GET", "POST", "POST", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD");
        String body = switch (random.nextInt(5)) {
            case 0 -> null;
            case 1 -> rawText();
            default -> {
                ObjectNode json = validBody(ours);
                for (int m = random.nextInt(3); m > 0; m--) {
                    mutate(json);
                }
                yield json.toString();
            }
        };
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        String token = pick(Tokens.user("alice"), Tokens.user("alice"), Tokens.admin("root"), Tokens.agent("agent-1"),
                Tokens.user("mallory"), "garbage", null);
        if (token != null) {
            builder.header("Authorization", pick("Bearer ", "Bearer ", "bearer ", "Basic ", "") + token);
        }
        String type = pick("application/json", "application/json", "application/json; charset=utf-8", "text/plain",
                "application/json; charset=latin1", null);
        if (type != null) {
            builder.header("Content-Type", type);
        }
        if (random.nextInt(4) == 0) {
            builder.header("Idempotency-Key", pick("k1", "", "x".repeat(100), "ünïcode"));
        }
        if (random.nextInt(4) == 0) {
            builder.header("Origin", pick("https://app.example", "https://evil.example", "null"));
        }
        return builder.build();
    }

    private ObjectNode validBody(String ours) {
        ObjectNode body = NODES.objectNode();
        switch (random.nextInt(7)) {
            case 0 -> body.put("type", pick("group", "dm")).set("members", NODES.arrayNode().add("alice").add("bob"));
            case 1 -> body.put("content", "fuzz").put("client_msg_id", "r" + random.nextInt(20));
            case 2 -> body.put("name", "renamed").put("metadata", "{\"a\":1}");
            case 3 -> body.put("user_id", pick("carol", "alice", "system"));
            case 4 -> body.put("room_id", ours).put("seq", random.nextInt(4));
            case 5 -> body.put("state", pick("human", "bot")).put("agent_id", "agent-1").put("reason", "fuzz");
            default -> body.put("name", "bot").put("llm_base_url", pick("https://93.184.216.34/v1", "http://127.0.0.1:1"))
                    .put("llm_api_key_env", pick("FUZZ_API_KEY", "JWT_SECRET")).put("model", "m");
        }
        return body;
    }

    // ---- values

    /** A random JSON value of any kind, nested a little. */
    private JsonNode value(int depth) {
        return switch (random.nextInt(depth > 2 ? 9 : 11)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(pick(0L, -1L, 1L, Long.MAX_VALUE, Long.MIN_VALUE, (long) Integer.MAX_VALUE + 1));
            case 3 -> NODES.numberNode(new BigInteger("9".repeat(1 + random.nextInt(40))));
            case 4 -> NODES.numberNode(pick(new BigDecimal("1.5"), new BigDecimal("-0.0"), new BigDecimal("1e308"),
                    new BigDecimal("1e-400")));
            case 5, 6 -> NODES.textNode(pick("", " ", "\t\n", "a", "💬", "\u0000", "\u202e", "x".repeat(17_000),
                    "room_missing", "<script>", "null"));
            case 7 -> NODES.textNode(randomString(random.nextInt(30)));
            case 8 -> NODES.textNode("\uFFFD");
            case 9 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(value(depth + 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(randomString(1 + random.nextInt(6)), value(depth + 1));
                }
                yield object;
            }
        };
    }

    private String randomString(int length) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            int kind = random.nextInt(10);
            int cp = kind < 6 ? 0x20 + random.nextInt(0x5f) : kind < 8 ? random.nextInt(0x20) : kind < 9
                    ? 0xa0 + random.nextInt(0x2000) : 0x1f300 + random.nextInt(0x300);
            text.appendCodePoint(cp);
        }
        return text.toString();
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    // ---- helpers

    private static String room(TestServer server, String... members) {
        var created = server.rest().post("/rooms", Tokens.user(members[0]),
                Map.of("type", "group", "members", List.of(members), "name", "fuzz"));
        assertThat(created.status()).isEqualTo(200);
        return created.json().path("room_id").asText();
    }

    private static Set<Long> storedSeqs(TestServer server, String room) {
        Set<Long> seqs = new HashSet<>();
        server.rest().allMessages(room, Tokens.admin("root")).forEach(m -> seqs.add(m.path("seq").asLong()));
        return seqs;
    }

    private static boolean isPing(String frame) {
        try {
            return "ping".equals(WsClient.JSON.readTree(frame).path("type").asText());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String clip(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "… (" + text.length() + " chars)" : text;
    }
}
