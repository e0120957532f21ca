package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Deliveries that give up become dead letters that only admins can list: webhook retries and socket re-delivery. */
class DeadLetterTest {
    private static final String ADMIN = Tokens.admin("backend");

    @Test
    void aWebhookThatKeepsFailingBecomesADeadLetterAfterTheConfiguredAttempts() throws Exception {
        try (var hook = new FakeWebhook();
             var server = TestServer.start(Map.of("WEBHOOK_URL", hook.url(), "WEBHOOK_MAX_ATTEMPTS", "2"))) {
            hook.respond(r -> new FakeWebhook.Answer(500, "{\"error\":\"down\"}"));
            Rest rest = server.rest();
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("writer", "away")))
                    .json().get("room_id").asText();
            rest.post("/rooms/" + room + "/messages", Tokens.user("writer"), Map.of("content", "first"));
            JsonNode message = rest.post("/rooms/" + room + "/messages", Tokens.user("writer"),
                    Map.of("content", "are you there?")).json();
            Instant sentAt = Instant.parse(message.get("created_at").asText());

            await().atMost(Duration.ofSeconds(15)).until(() -> ofKind(rest, "webhook").size() == 2);
            JsonNode letter = ofKind(rest, "webhook").stream()
                    .filter(l -> l.get("message_id").asText().equals(message.get("message_id").asText()))
                    .findFirst().orElseThrow();
            assertThat(letter.get("id").isNull()).isFalse();
            assertThat(letter.get("user_id").asText()).isEqualTo("away");
            assertThat(letter.get("chatroom_id").asText()).isEqualTo(room);
            assertThat(letter.get("seq").asLong()).isEqualTo(2);
            assertThat(letter.get("attempts").asInt()).isEqualTo(2);
            assertThat(letter.get("event").asText()).isEqualTo("message.offline");
            Instant created = Instant.parse(letter.get("created_at").asText());
            Instant lastAttempt = Instant.parse(letter.get("last_attempt_at").asText());
            assertThat(created).isAfterOrEqualTo(sentAt.minusSeconds(1));
            assertThat(lastAttempt).isAfterOrEqualTo(created);

            List<FakeWebhook.Received> calls = hook.ofType("message.offline").stream()
                    .filter(r -> r.json().path("message").path("seq").asLong() == 2).toList();
            assertThat(calls).hasSize(2);
            assertThat(calls.get(1).headers().get("webhook-id")).isEqualTo(calls.get(0).headers().get("webhook-id"));
            assertThat(calls.get(0).headers().get("webhook-id")).isEqualTo(letter.get("webhook_id").asText());
            assertThat(rest.get("/metrics", null).json().get("dead_letters").asLong()).isGreaterThanOrEqualTo(2);

            for (String token : List.of(Tokens.user("away"), Tokens.agent("support"))) {
                var refused = rest.get("/admin/dead-letters", token);
                assertThat(refused.status()).isEqualTo(403);
                assertThat(refused.error()).isEqualTo("forbidden");
            }
            assertThat(rest.get("/admin/dead-letters", null).status()).isEqualTo(401);
            var one = rest.get("/admin/dead-letters?limit=1", ADMIN);
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.json().get("failed_messages")).hasSize(1);
            assertThat(rest.get("/admin/dead-letters", ADMIN).json().get("failed_messages").size())
                    .isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aQueuedMessageForAMemberWhoNeverConnectsBecomesAnOfflineDeadLetterAfterFivePasses() {
        try (var server = TestServer.start(Map.of("WORKER_INTERVAL", "100ms"))) {
            Rest rest = server.rest();
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group",
                    "members", List.of("talker", "present", "never"))).json().get("room_id").asText();
            try (var present = server.ws(Tokens.user("present"))) {
                JsonNode message = rest.post("/rooms/" + room + "/messages", Tokens.user("talker"),
                        Map.of("content", "hello?")).json();
                assertThat(present.await("message").get("seq").asLong()).isEqualTo(1);

                await().atMost(Duration.ofSeconds(10)).until(() -> !ofKind(rest, "offline").isEmpty());
                List<JsonNode> letters = ofKind(rest, "offline");
                assertThat(letters).hasSize(1);
                JsonNode letter = letters.get(0);
                assertThat(letter.get("user_id").asText()).isEqualTo("never");
                assertThat(letter.get("chatroom_id").asText()).isEqualTo(room);
                assertThat(letter.get("message_id").asText()).isEqualTo(message.get("message_id").asText());
                assertThat(letter.get("seq").asLong()).isEqualTo(1);
                assertThat(letter.get("attempts").asInt()).isEqualTo(5);
                assertThat(letter.has("event")).as("a socket re-delivery, no webhook").isFalse();
                assertThat(letter.has("webhook_id")).isFalse();
                assertThat(Instant.parse(letter.get("last_attempt_at").asText()))
                        .isAfterOrEqualTo(Instant.parse(letter.get("created_at").asText()));
                assertThat(rest.get("/metrics", null).json().get("dead_letters").asLong()).isEqualTo(1);
            }
        }
    }

    private static List<JsonNode> ofKind(Rest rest, String kind) {
        var answer = rest.get("/admin/dead-letters", ADMIN);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        answer.json().get("failed_messages").forEach(l -> {
            if (l.path("kind").asText().equals(kind)) {
                out.add(l);
            }
        });
        return out;
    }
}
