package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-user token bucket (1 send per second, burst 3) against the real server: REST and WebSocket share it,
 * refusals store nothing, idempotent repeats still answer, and the bucket refills. Edits and deletes have a
 * bucket of their own with the same rate and burst, which does not apply to admins.
 *
 * <p>A fresh user's bucket holds 3 tokens and gains 1 per second, so after {@code s} accepted sends it is
 * certainly empty while less than {@code s - 2} seconds have passed since the first one. A check that would be
 * inconclusive on a machine too slow for that window is repeated with a fresh user.
 */
class RateLimitTest {
    private static final String ADMIN = Tokens.admin("backend");
    private static final int ROUNDS = 3;
    private static TestServer server;
    private static Rest rest;

    /** Quick sends until the first refusal: what was accepted, the refusal, and when the first send left. */
    private record Burst(String user, String room, List<String> accepted, Rest.Response refusal, long startNanos) {
        /** True while the bucket is certainly still empty (see the class comment). */
        boolean certainlyEmpty() {
            return System.nanoTime() - startNanos < (accepted.size() - 2) * 1_000_000_000L;
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("RATE_LIMIT_MESSAGES", "1", "RATE_LIMIT_MESSAGES_BURST", "3"));
        rest = server.rest();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void restSendsBeyondTheBurstGet429WithRetryAfterAndAnotherUserIsNotLimited() {
        long refusedBefore = metric("rate_limited");
        long sentBefore = metric("messages_sent");
        Burst burst = exhaust("limited", null);
        long seconds = (System.nanoTime() - burst.startNanos()) / 1_000_000_000L;
        assertThat(burst.accepted()).hasSizeBetween(3, 3 + (int) seconds);
        Rest.Response refusal = burst.refusal();
        assertThat(refusal.status()).isEqualTo(429);
        assertThat(refusal.json()).isEqualTo(WsClient.JSON.createObjectNode()
                .put("error", "rate_limited").put("message", "too many requests"));
        String retryAfter = refusal.headers().firstValue("Retry-After").orElseThrow();
        assertThat(retryAfter).matches("[0-9]+");
        assertThat(Long.parseLong(retryAfter)).isGreaterThanOrEqualTo(1);

        var other = rest.post("/rooms/" + burst.room() + "/messages", Tokens.user("peer"), Map.of("content", "not me"));
        assertThat(other.status()).as(other.body()).isEqualTo(200);

        List<String> expected = new ArrayList<>(burst.accepted());
        expected.add("not me");
        assertThat(history(burst.room())).containsExactlyElementsOf(expected);
        assertThat(metric("rate_limited") - refusedBefore).isEqualTo(1);
        assertThat(metric("messages_sent") - sentBefore).isEqualTo(expected.size());
    }

    @Test
    void theBucketIsSharedWithTheWebSocketWhichAnswersWithAnErrorAndStaysOpen() {
        for (int round = 0; round < ROUNDS; round++) {
            String user = "shared" + round;
            try (WsClient socket = server.ws(Tokens.user(user))) {
                Burst burst = exhaust(user, null);
                socket.send("send_message", Map.of("room_id", burst.room(), "content", "over the socket",
                        "client_msg_id", "ws-" + round));
                JsonNode answer = socket.await(e -> e.path("type").asText().equals("error")
                        || e.path("type").asText().equals("message.sent"), "an answer to the send");
                if (answer.path("type").asText().equals("message.sent") && !burst.certainlyEmpty()) {
                    continue;
                }
                assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("error");
                assertThat(answer.get("data").get("code").asText()).isEqualTo("rate_limited");
                assertThat(answer.get("data").get("client_msg_id").asText()).isEqualTo("ws-" + round);

                socket.send("ping", null);
                socket.await("pong");
                assertThat(socket.isClosed()).isFalse();
                assertThat(history(burst.room())).containsExactlyElementsOf(burst.accepted());
                return;
            }
        }
        Assumptions.abort("the machine never sent 4 messages within a second");
    }

    @Test
    void aRepeatSentWhileTheFirstIsBeingStoredGetsItEvenWhenItFindsTheBucketEmpty() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String user = "twin" + round;
            Burst burst = exhaust(user, null);
            Thread.sleep(1_100); // one token comes back: the first of the two sends takes it
            try (WsClient a = server.ws(Tokens.user(user)); WsClient b = server.ws(Tokens.user(user))) {
                Map<String, Object> send = Map.of("room_id", burst.room(), "content", "once", "client_msg_id", "twin");
                a.send("send_message", send);
                b.send("send_message", send);
                List<JsonNode> answers = new ArrayList<>();
                for (WsClient socket : List.of(a, b)) {
                    answers.add(socket.await(e -> e.path("type").asText().equals("error")
                            || e.path("type").asText().equals("message.sent"), "an answer to the send"));
                }
                if (answers.stream().allMatch(e -> e.path("type").asText().equals("error"))) {
                    continue; // the token had not come back yet
                }
                assertThat(answers).as("never an error for a repeat of a stored send")
                        .allMatch(e -> e.path("type").asText().equals("message.sent"));
                assertThat(answers).extracting(e -> e.path("duplicate").asBoolean())
                        .containsExactlyInAnyOrder(false, true);
                assertThat(answers).extracting(e -> e.path("seq").asLong())
                        .containsOnly(answers.get(0).path("seq").asLong());
                List<String> stored = new ArrayList<>(burst.accepted());
                stored.add("once");
                assertThat(history(burst.room())).containsExactlyElementsOf(stored);
            }
        }
    }

    @Test
    void repeatingAStoredClientMessageIdWhileLimitedReturnsTheOriginal() {
        for (int round = 0; round < ROUNDS; round++) {
            String user = "repeat" + round;
            Burst burst = exhaust(user, "keep");
            var repeat = rest.post("/rooms/" + burst.room() + "/messages", Tokens.user(user),
                    Map.of("content", burst.accepted().get(0), "client_msg_id", "keep"));
            var fresh = rest.post("/rooms/" + burst.room() + "/messages", Tokens.user(user),
                    Map.of("content", "fresh", "client_msg_id", "new"));
            if (!burst.certainlyEmpty()) {
                continue;
            }
            assertThat(repeat.status()).as(repeat.body()).isEqualTo(200);
            assertThat(repeat.json().get("duplicate").asBoolean()).isTrue();
            assertThat(repeat.json().get("client_msg_id").asText()).isEqualTo("keep");
            assertThat(repeat.json().get("seq").asLong()).isEqualTo(1);
            assertThat(repeat.json().get("content").asText()).isEqualTo(burst.accepted().get(0));
            assertThat(fresh.status()).as("a new id while limited").isEqualTo(429);
            assertThat(history(burst.room())).containsExactlyElementsOf(burst.accepted());
            return;
        }
        Assumptions.abort("the machine never sent 6 messages within a second");
    }

    @Test
    void repeatsOfAStoredSendDoNotUseUpTheSendersBucket() {
        String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("retrier", "peer")))
                .json().get("room_id").asText();
        var first = rest.post("/rooms/" + room + "/messages", Tokens.user("retrier"),
                Map.of("content", "once", "client_msg_id", "k"));
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            var repeat = rest.post("/rooms/" + room + "/messages", Tokens.user("retrier"),
                    Map.of("content", "once", "client_msg_id", "k"));
            assertThat(repeat.json().get("duplicate").asBoolean()).isTrue();
        }
        for (String content : List.of("two", "three")) {
            var fresh = rest.post("/rooms/" + room + "/messages", Tokens.user("retrier"), Map.of("content", content));
            assertThat(fresh.status()).as("the burst of 3 less the first send: " + fresh.body()).isEqualTo(200);
        }
        assertThat(history(room)).containsExactly("once", "two", "three");
    }

    @Test
    void afterRetryAfterSecondsASendSucceeds() throws InterruptedException {
        Burst burst = exhaust("patient", null);
        long retryAfter = Long.parseLong(burst.refusal().headers().firstValue("Retry-After").orElseThrow());
        Thread.sleep(retryAfter * 1000);
        var later = rest.post("/rooms/" + burst.room() + "/messages", Tokens.user("patient"),
                Map.of("content", "refilled"));
        assertThat(later.status()).as(later.body()).isEqualTo(200);
        List<String> expected = new ArrayList<>(burst.accepted());
        expected.add("refilled");
        assertThat(history(burst.room())).containsExactlyElementsOf(expected);
    }

    @Test
    void anAgentsHandoffChangesAreLimitedAndARefusedOneChangesNothing() {
        for (int round = 0; round < ROUNDS; round++) {
            String agent = Tokens.agent("flipper" + round);
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("v" + round, "w")))
                    .json().get("room_id").asText();
            String path = "/rooms/" + room + "/handoff";
            List<String> accepted = new ArrayList<>();
            Rest.Response refusal = null;
            long start = System.nanoTime();
            for (int i = 0; i < 10 && refusal == null; i++) {
                String state = i % 2 == 0 ? "human" : "bot";
                var flip = rest.post(path, agent, Map.of("state", state));
                if (flip.status() == 429) {
                    refusal = flip;
                } else {
                    assertThat(flip.status()).as(flip.body()).isEqualTo(200);
                    accepted.add(state);
                }
            }
            assertThat(refusal).as("10 quick handoffs were never refused: " + accepted).isNotNull();
            var noOp = rest.post(path, agent, Map.of("state", accepted.getLast()));
            if (!new Burst(null, room, accepted, refusal, start).certainlyEmpty()) {
                continue;
            }
            assertThat(refusal.error()).isEqualTo("rate_limited");
            assertThat(refusal.headers().firstValue("Retry-After")).isPresent();
            assertThat(noOp.status()).as("an empty bucket refuses a no-op too: " + noOp.body()).isEqualTo(429);
            assertThat(history(room)).as("one marker per accepted change").hasSize(accepted.size());
            assertThat(rest.get("/rooms/" + room, ADMIN).json().get("handoff").get("state").asText())
                    .isEqualTo(accepted.getLast());
            for (int i = 0; i < 6; i++) {
                assertThat(rest.post(path, ADMIN, Map.of("state", i % 2 == 0 ? "bot" : "human")).status())
                        .as("an admin's handoffs are not limited").isEqualTo(200);
            }
            return;
        }
        Assumptions.abort("the machine never changed a handoff 4 times within a second");
    }

    @Test
    void editsAndDeletesHaveABucketOfTheirOwnAndARefusedEditChangesNothing() {
        for (int round = 0; round < ROUNDS; round++) {
            String user = "editor" + round;
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of(user, "peer"))).json()
                    .get("room_id").asText();
            var sent = rest.post("/rooms/" + room + "/messages", Tokens.user(user), Map.of("content", "v0"));
            assertThat(sent.status()).as(sent.body()).isEqualTo(200);
            String path = "/rooms/" + room + "/messages/" + sent.json().get("message_id").asText();
            long refusedBefore = metric("rate_limited");
            List<String> accepted = new ArrayList<>();
            Rest.Response refusal = null;
            long start = System.nanoTime();
            for (int i = 1; i <= 10 && refusal == null; i++) {
                var edit = rest.put(path, Tokens.user(user), Map.of("content", "v" + i));
                if (edit.status() == 429) {
                    refusal = edit;
                } else {
                    assertThat(edit.status()).as(edit.body()).isEqualTo(200);
                    accepted.add("v" + i);
                }
            }
            assertThat(refusal).as("10 quick edits were never refused: " + accepted).isNotNull();
            var delete = rest.delete(path, Tokens.user(user));
            var send = rest.post("/rooms/" + room + "/messages", Tokens.user(user), Map.of("content", "a send"));
            Burst burst = new Burst(user, room, accepted, refusal, start);
            if (!burst.certainlyEmpty()) {
                continue;
            }
            assertThat(refusal.json()).isEqualTo(WsClient.JSON.createObjectNode()
                    .put("error", "rate_limited").put("message", "too many requests"));
            assertThat(Long.parseLong(refusal.headers().firstValue("Retry-After").orElseThrow())).isGreaterThanOrEqualTo(1);
            assertThat(delete.status()).as("a delete while edits are limited: " + delete.body()).isEqualTo(429);
            assertThat(send.status()).as("a send has its own bucket: " + send.body()).isEqualTo(200);
            assertThat(history(room)).containsExactly(accepted.get(accepted.size() - 1), "a send");
            assertThat(metric("rate_limited") - refusedBefore).isEqualTo(2);
            List<String> spam = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String spammer = "spammer" + round + "-" + i;
                assertThat(rest.post("/rooms/" + room + "/members", ADMIN, Map.of("user_id", spammer)).status())
                        .isEqualTo(204);
                var message = rest.post("/rooms/" + room + "/messages", Tokens.user(spammer), Map.of("content", "spam"));
                assertThat(message.status()).as(message.body()).isEqualTo(200);
                spam.add(message.json().get("message_id").asText());
            }
            for (String id : spam) {
                var moderated = rest.delete("/rooms/" + room + "/messages/" + id, ADMIN);
                assertThat(moderated.status()).as("an admin's deletes are not limited: " + moderated.body()).isEqualTo(204);
            }
            assertThat(history(room)).doesNotContain("spam");
            return;
        }
        Assumptions.abort("the machine never edited 4 times within a second");
    }

    /** A room of {@code user} and {@code peer}; quick sends from {@code user} until one is refused. */
    private static Burst exhaust(String user, String firstClientMsgId) {
        String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of(user, "peer"))).json()
                .get("room_id").asText();
        List<String> accepted = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            String content = user + " #" + i;
            Map<String, Object> body = i == 0 && firstClientMsgId != null
                    ? Map.of("content", content, "client_msg_id", firstClientMsgId) : Map.of("content", content);
            var answer = rest.post("/rooms/" + room + "/messages", Tokens.user(user), body);
            if (answer.status() == 429) {
                return new Burst(user, room, accepted, answer, start);
            }
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            accepted.add(content);
        }
        throw new AssertionError("10 quick sends by " + user + " were never refused: " + accepted);
    }

    private static List<String> history(String room) {
        return rest.get("/rooms/" + room + "/messages?limit=100", ADMIN).json().get("messages")
                .findValuesAsText("content");
    }

    private static long metric(String name) {
        return rest.get("/metrics", null).json().get(name).asLong();
    }
}
