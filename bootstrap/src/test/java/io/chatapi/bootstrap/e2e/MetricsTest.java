package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /metrics} counts what really happened: stored messages and open sockets, as JSON and as Prometheus text. */
class MetricsTest {
    private static final String ADMIN = Tokens.admin("backend");

    @Test
    void messagesSentCountsEveryStoredMessageAndNothingElse() {
        try (var server = TestServer.start(Map.of("MAX_MESSAGE_CHARS", "100"))) {
            Rest rest = server.rest();
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("m1", "m2"))).json()
                    .get("room_id").asText();
            long before = json(rest).get("messages_sent").asLong();
            for (int i = 0; i < 4; i++) {
                assertThat(rest.post("/rooms/" + room + "/messages", Tokens.user("m1"),
                        Map.of("content", "rest " + i, "client_msg_id", "r" + i)).status()).isEqualTo(200);
            }
            try (var socket = server.ws(Tokens.user("m2"))) {
                for (int i = 0; i < 3; i++) {
                    socket.send("send_message", Map.of("room_id", room, "content", "ws " + i, "client_msg_id", "w" + i));
                    assertThat(socket.await("message.sent").get("duplicate")).isNull();
                }
                socket.send("send_message", Map.of("room_id", room, "content", "ws 0", "client_msg_id", "w0"));
                assertThat(socket.await("message.sent").get("duplicate").asBoolean()).isTrue();
                socket.send("send_message", Map.of("room_id", room, "content", "x".repeat(101)));
                assertThat(socket.await("error").get("data").get("code").asText()).isEqualTo("payload_too_large");
            }
            assertThat(rest.post("/rooms/" + room + "/messages", Tokens.user("m1"),
                    Map.of("content", "rest 0", "client_msg_id", "r0")).json().get("duplicate").asBoolean()).isTrue();
            assertThat(rest.post("/rooms/" + room + "/messages", Tokens.user("m1"), Map.of("content", "")).status())
                    .isEqualTo(400);
            assertThat(rest.post("/rooms/" + room + "/messages", Tokens.user("outsider"), Map.of("content", "x"))
                    .status()).isEqualTo(403);

            long after = json(rest).get("messages_sent").asLong();
            assertThat(after - before).isEqualTo(7);
            assertThat(prometheus(rest)).containsEntry("chatapi_messages_sent_total", after);
        }
    }

    @Test
    void activeConnectionsFollowsOpenSocketsAndDropsBackWhenTheyClose() throws Exception {
        try (var server = TestServer.start(Map.of("WS_MAX_CONNECTIONS_PER_USER", "2"))) {
            Rest rest = server.rest();
            long base = json(rest).get("active_connections").asLong();
            var a1 = server.ws(Tokens.user("a"));
            var a2 = server.ws(Tokens.user("a"));
            var b = server.ws(Tokens.user("b"));
            var raw = StalledSocket.connect(server.port(), Tokens.user("c"));
            awaitActive(rest, base + 4);
            try (var overCap = server.ws(Tokens.user("a"))) {
                assertThat(overCap.awaitClose()).isEqualTo(1008);
            }
            assertThat(json(rest).get("active_connections").asLong()).isEqualTo(base + 4);
            assertThat(prometheus(rest)).containsEntry("chatapi_active_connections", base + 4);

            a1.close();
            awaitActive(rest, base + 3);
            raw.close();
            awaitActive(rest, base + 2);
            a2.close();
            b.close();
            awaitActive(rest, base);
            assertThat(prometheus(rest)).containsEntry("chatapi_active_connections", base);
        }
    }

    private static void awaitActive(Rest rest, long expected) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(json(rest).get("active_connections").asLong()).isEqualTo(expected));
    }

    private static JsonNode json(Rest rest) {
        var answer = rest.get("/metrics", null);
        assertThat(answer.status()).isEqualTo(200);
        return answer.json();
    }

    /** The samples of the Prometheus text: metric name to value. */
    private static Map<String, Long> prometheus(Rest rest) {
        var answer = rest.get("/metrics/prometheus", null);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        Map<String, Long> samples = new HashMap<>();
        for (String line : answer.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] parts = line.trim().split(" ");
                samples.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        return samples;
    }
}
