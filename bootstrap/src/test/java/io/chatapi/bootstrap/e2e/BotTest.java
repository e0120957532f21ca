package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bots end to end: webhook context, streamed replies, failures, cancel, supersede, handoff, mid-stream join. */
class BotTest {
    private static final String ADMIN = Tokens.admin("backend");
    private static final String VISITOR = Tokens.user("visitor");
    private FakeWebhook hook;
    private FakeLlm llm;
    private TestServer server;
    private Rest rest;

    @BeforeEach
    void start() throws Exception {
        hook = new FakeWebhook();
        llm = new FakeLlm();
        hook.respond(r -> new FakeWebhook.Answer(200, "{\"system_prompt\":\"Be brief.\"}"));
        server = start(Map.of());
    }

    private TestServer start(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("WEBHOOK_URL", hook.url(), "WEBHOOK_SECRET", "s3cret",
                "LLM_ALLOW_PRIVATE_NETWORKS", "true", "SUPPORT_API_KEY", "sk-test-key",
                "LLM_IDLE_TIMEOUT", "2s"));
        env.putAll(extra);
        TestServer s = TestServer.start(env);
        rest = s.rest();
        return s;
    }

    @AfterEach
    void stop() {
        server.close();
        llm.close();
        hook.close();
    }

    private String bot(String provider) {
        var body = new HashMap<String, Object>(Map.of("name", "Helper", "llm_base_url", llm.baseUrl(),
                "llm_api_key_env", "SUPPORT_API_KEY", "model", "m-1", "max_context", 3));
        if (provider != null) {
            body.put("provider", provider);
        }
        var created = rest.post("/bots", ADMIN, body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("bot_id").asText();
    }

    private String roomWith(String botId, String... humans) {
        List<String> members = new ArrayList<>(List.of(humans));
        members.add(botId);
        var r = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", members));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("room_id").asText();
    }

    /** A system prompt at once, but for a message {@code content}: then once {@code released} (30 s at most). */
    private static Function<FakeWebhook.Received, FakeWebhook.Answer> promptOnceReleased(String content,
                                                                                 CountDownLatch released) {
        return r -> {
            if (r.json().path("message").path("content").asText().equals(content)) {
                try {
                    released.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new FakeWebhook.Answer(200, "{\"system_prompt\":\"Be brief.\"}");
        };
    }

    private static Map<String, Object> say(String room, String content) {
        return Map.of("room_id", room, "content", content);
    }

    private static boolean is(JsonNode e, String type) {
        return e.path("type").asText().equals(type);
    }

    private static JsonNode terminal(WsClient c) {
        return c.await(e -> is(e, "message.stream.end") || is(e, "message.stream.error"), "end or error");
    }

    @Test
    void thousandsOfDeltasArrivingAtOnceReachAReadingClientWholeAsFewerLongerDeltas() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        StringBuilder burst = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            String piece = "t" + i + " ";
            burst.append("data: {\"choices\":[{\"delta\":{\"content\":\"").append(piece).append("\"}}]}\n\n");
            expected.append(piece);
        }
        llm.reply(new FakeLlm.Raw(burst.toString()));
        try (var c = server.ws(VISITOR)) {
            for (int round = 0; round < 3; round++) {
                c.send("send_message", say(room, "burst " + round));
                c.await("message.stream.start");
                StringBuilder text = new StringBuilder();
                JsonNode last;
                while (true) {
                    last = c.await(e -> is(e, "message.stream.delta") || is(e, "message.stream.end")
                            || is(e, "message.stream.error"), "delta, end or error");
                    if (!is(last, "message.stream.delta")) {
                        break;
                    }
                    assertThat(last.get("offset").asInt()).isEqualTo(text.length());
                    text.append(last.get("delta").asText());
                }
                assertThat(last.path("type").asText()).isEqualTo("message.stream.end");
                assertThat(text.toString()).isEqualTo(expected.toString());
                assertThat(last.get("content").asText()).isEqualTo(expected.toString());
            }
        }
        assertThat(Flood.metric(rest, "slow_consumer_closes")).isZero();
    }

    @Test
    void theHappyPathAsksTheWebhookStreamsTheReplyAndStoresItUnderTheSameId() throws Exception {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "Where is my order?"));
            c.await("message");
            JsonNode start = c.await("message.stream.start");
            assertThat(start.get("sender_id").asText()).isEqualTo(botId);
            String id = start.get("message_id").asText();
            JsonNode d1 = c.await("message.stream.delta");
            assertThat(d1.get("message_id").asText()).isEqualTo(id);
            assertThat(d1.get("offset").asInt()).isZero();
            if (d1.get("delta").asText().equals("Hello")) { // else both chunks waited in the queue together
                assertThat(c.await("message.stream.delta").get("offset").asInt()).isEqualTo(5);
            } else {
                assertThat(d1.get("delta").asText()).isEqualTo("Hello there");
            }
            JsonNode end = c.await("message.stream.end");
            assertThat(end.get("message_id").asText()).isEqualTo(id);
            assertThat(end.get("content").asText()).isEqualTo("Hello there");
            assertThat(end.get("finish_reason").asText()).isEqualTo("stop");
            assertThat(end.get("seq").asLong()).isEqualTo(2);
            assertThat(c.drain(Duration.ofMillis(300))).noneMatch(e -> is(e, "message")
                    || is(e, "message.stream.end") || is(e, "message.stream.error"));
        }
        var stored = rest.get("/rooms/" + room + "/messages", VISITOR).json().get("messages");
        assertThat(stored.get(1).get("sender_id").asText()).isEqualTo(botId);
        assertThat(stored.get(1).get("content").asText()).isEqualTo("Hello there");

        var context = hook.ofType("bot.context");
        assertThat(context).hasSize(1);
        JsonNode body = context.get(0).json();
        assertThat(body.get("bot_id").asText()).isEqualTo(botId);
        assertThat(body.get("room_id").asText()).isEqualTo(room);
        assertThat(body.get("message").get("content").asText()).isEqualTo("Where is my order?");
        assertThat(body.get("history").get(0).get("role").asText()).isEqualTo("user");
        assertThat(context.get(0).headers().get("x-chatapi-signature")).startsWith("sha256=");
        assertThat(context.get(0).headers().get("webhook-signature")).startsWith("v1,");

        var call = llm.received().get(0);
        assertThat(call.path()).isEqualTo("/v1/chat/completions");
        assertThat(call.headers().get("authorization")).isEqualTo("Bearer sk-test-key");
        assertThat(call.body().get("model").asText()).isEqualTo("m-1");
        assertThat(call.body().get("stream").asBoolean()).isTrue();
        assertThat(call.body().get("messages").get(0).get("role").asText()).isEqualTo("system");
        assertThat(call.body().get("messages").get(0).get("content").asText()).isEqualTo("Be brief.");
        assertThat(call.body().get("messages").get(1).get("content").asText()).isEqualTo("Where is my order?");
    }

    @Test
    void theHistoryIsTheLastMaxContextMessagesWithTheBotsOwnAsAssistant() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        try (var c = server.ws(VISITOR)) {
            for (String text : List.of("one", "two", "three")) {
                c.send("send_message", say(room, text));
                terminal(c);
            }
        }
        JsonNode messages = llm.received().get(2).body().get("messages");
        List<String> roles = new ArrayList<>();
        List<String> contents = new ArrayList<>();
        for (JsonNode m : messages) {
            roles.add(m.get("role").asText());
            contents.add(m.get("content").asText());
        }
        assertThat(roles).containsExactly("system", "user", "assistant", "user");
        assertThat(contents).containsExactly("Be brief.", "two", "Hello there", "three");
    }

    @Test
    void skipKeepsTheBotSilentAndSkipWithHandoffHandsTheRoomToAHuman() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        hook.respond(r -> new FakeWebhook.Answer(200, "{\"skip\":true}"));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "hello?"));
            c.await("message");
            assertThat(c.drain(Duration.ofMillis(800))).noneMatch(e -> is(e, "message.stream.start"));
            assertThat(llm.received()).isEmpty();
            hook.respond(r -> new FakeWebhook.Answer(200, "{\"skip\":true,\"handoff\":{\"reason\":\"angry\"}}"));
            c.send("send_message", say(room, "I want a human"));
            JsonNode handoff = c.await("room.handoff");
            assertThat(handoff.get("state").asText()).isEqualTo("human");
            assertThat(handoff.get("by").asText()).isEqualTo(botId);
            assertThat(handoff.get("reason").asText()).isEqualTo("angry");
            JsonNode marker = c.await(e -> is(e, "message") && e.path("sender_id").asText().equals("system"), "marker");
            assertThat(marker.get("meta").asText()).contains("\"kind\":\"handoff\"");
        }
        assertThat(rest.get("/rooms/" + room, VISITOR).json().get("handoff").get("state").asText()).isEqualTo("human");
        assertThat(llm.received()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> !hook.ofType("room.handoff").isEmpty());
    }

    @Test
    void theFirstAgentWhoWritesInARoomTheWebhookHandedOverTakesItKeepingTheReason() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        for (String agent : List.of("agent-bo", "agent-cy")) {
            assertThat(rest.post("/rooms/" + room + "/members", ADMIN, Map.of("user_id", agent)).status())
                    .isEqualTo(204);
        }
        hook.respond(r -> new FakeWebhook.Answer(200, "{\"skip\":true,\"handoff\":{\"reason\":\"refund\"}}"));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "I want my money back"));
            assertThat(c.await("room.handoff").has("agent_id")).isFalse();

            var first = rest.post("/rooms/" + room + "/messages", Tokens.agent("agent-bo"), Map.of("content", "Bo here"));
            assertThat(first.status()).as(first.body()).isEqualTo(200);
            JsonNode taken = c.await("room.handoff");
            assertThat(taken.get("state").asText()).isEqualTo("human");
            assertThat(taken.get("agent_id").asText()).isEqualTo("agent-bo");
            assertThat(taken.get("by").asText()).isEqualTo("agent-bo");
            assertThat(taken.get("reason").asText()).isEqualTo("refund");
            JsonNode marker = c.await(e -> is(e, "message") && e.path("content").asText().contains("agent-bo"),
                    "the marker naming Bo");
            assertThat(marker.get("sender_id").asText()).isEqualTo("system");
            JsonNode said = c.await(e -> is(e, "message") && e.path("sender_id").asText().equals("agent-bo"), "Bo");
            assertThat(said.get("seq").asLong()).isGreaterThan(marker.get("seq").asLong());
            assertThat(Instant.parse(said.get("created_at").asText()))
                    .as("a transcript sorted by time keeps the marker first")
                    .isAfterOrEqualTo(Instant.parse(marker.get("created_at").asText()));

            var second = rest.post("/rooms/" + room + "/messages", Tokens.agent("agent-cy"), Map.of("content", "Cy"));
            assertThat(second.status()).isEqualTo(200);
            c.await(e -> is(e, "message") && e.path("sender_id").asText().equals("agent-cy"), "Cy");
            assertThat(c.drain(Duration.ofMillis(300))).noneMatch(e -> is(e, "room.handoff"));
        }
        JsonNode handoff = rest.get("/rooms/" + room, VISITOR).json().get("handoff");
        assertThat(handoff.get("agent_id").asText()).isEqualTo("agent-bo");
        assertThat(handoff.get("reason").asText()).isEqualTo("refund");
        assertThat(llm.received()).isEmpty();
    }

    @Test
    void aHandoffReasonFromTheWebhookIsCutToTheLengthTheRestApiAllows() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        String reason = "a" + "\uD83D\uDE00".repeat(3_000); // the 1,000th unit is the first half of a pair
        hook.respond(r -> new FakeWebhook.Answer(200, "{\"skip\":true,\"handoff\":{\"reason\":\"" + reason + "\"}}"));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "I want a human"));
            assertThat(c.await("room.handoff").get("reason").asText()).isEqualTo(reason.substring(0, 999));
        }
        assertThat(rest.get("/rooms/" + room, VISITOR).json().get("handoff").get("reason").asText())
                .isEqualTo(reason.substring(0, 999));
    }

    @Test
    void aLoneSurrogateInTheWebhooksHandoffReasonBecomesAReplacementCharacter() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        hook.respond(r -> new FakeWebhook.Answer(200, "{\"skip\":true,\"handoff\":{\"reason\":\"a\\ud800b\"}}"));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "I want a human"));
            assertThat(c.await("room.handoff").get("reason").asText()).isEqualTo("a\uFFFDb");
        }
        assertThat(rest.get("/rooms/" + room, VISITOR).json().get("handoff").get("reason").asText())
                .isEqualTo("a\uFFFDb");
    }

    @Test
    void aWebhookThatRedirectsToItsPathWithASlashIsFollowed() {
        hook.redirectToSlash(true);
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "Where is my order?"));
            assertThat(c.await("message.stream.end").get("content").asText()).isEqualTo("Hello there");
        }
        assertThat(hook.ofType("bot.context")).hasSize(1);
        assertThat(llm.received().get(0).body().get("messages").get(0).get("content").asText()).isEqualTo("Be brief.");
    }

    @Test
    void aFailingWebhookKeepsTheBotSilentByDefault() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        hook.respond(r -> new FakeWebhook.Answer(500, "oops"));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "hi"));
            c.await("message");
            assertThat(c.drain(Duration.ofMillis(800))).noneMatch(e -> is(e, "message.stream.start"));
        }
        hook.respond(r -> new FakeWebhook.Answer(200, "not json"));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "hi again"));
            c.await("message");
            assertThat(c.drain(Duration.ofMillis(800))).noneMatch(e -> is(e, "message.stream.start"));
        }
        assertThat(llm.received()).isEmpty();
    }

    @Test
    void withProceedAFailingWebhookStillGetsAReplyWithoutASystemPrompt() {
        server.close();
        server = start(Map.of("BOT_WEBHOOK_FAILURE", "proceed"));
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        hook.respond(r -> new FakeWebhook.Answer(500, "oops"));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "hi"));
            assertThat(c.await("message.stream.end").get("content").asText()).isEqualTo("Hello there");
        }
        assertThat(llm.received().get(0).body().get("messages").get(0).get("role").asText()).isEqualTo("user");
    }

    @Test
    void everyLlmFailureEndsTheStartedStreamExactlyOnce() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        record Case(List<FakeLlm.Step> steps, String reason) {
        }
        List<Case> cases = List.of(
                new Case(List.of(new FakeLlm.Status(500)), "llm_error"),
                new Case(List.of(new FakeLlm.Status(401)), "llm_error"),
                new Case(List.of(), "empty"),
                new Case(List.of(new FakeLlm.Raw("data: {broken\n\n")), "empty"),
                new Case(List.of(new FakeLlm.Pause(4000)), "timeout"));
        try (var c = server.ws(VISITOR)) {
            for (Case test : cases) {
                llm.reply(test.steps().toArray(FakeLlm.Step[]::new));
                c.send("send_message", say(room, "go " + test.reason()));
                JsonNode start = c.await("message.stream.start");
                JsonNode end = terminal(c);
                assertThat(end.get("type").asText()).as(test.toString()).isEqualTo("message.stream.error");
                assertThat(end.get("reason").asText()).as(test.toString()).isEqualTo(test.reason());
                assertThat(end.get("message_id").asText()).isEqualTo(start.get("message_id").asText());
            }
            assertThat(c.drain(Duration.ofMillis(500))).noneMatch(e -> is(e, "message.stream.end")
                    || is(e, "message.stream.error"));
        }
        var stored = rest.get("/rooms/" + room + "/messages", VISITOR).json().get("messages");
        assertThat(stored.findValuesAsText("sender_id")).doesNotContain(botId);
    }

    @Test
    void malformedLinesAreSkippedAndTheRestOfTheReplyKept() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        llm.reply(new FakeLlm.Chunk("a"), new FakeLlm.Raw(": comment\r\n\r\ndata:{not json}\n\n"), new FakeLlm.Chunk("b"));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "hi"));
            assertThat(c.await("message.stream.end").get("content").asText()).isEqualTo("ab");
        }
    }

    @Test
    void anthropicBotsSpeakTheMessagesApi() {
        String botId = bot("anthropic");
        String room = roomWith(botId, "visitor");
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "hi"));
            assertThat(c.await("message.stream.end").get("content").asText()).isEqualTo("Hello there");
        }
        var call = llm.received().get(0);
        assertThat(call.path()).isEqualTo("/v1/messages");
        assertThat(call.headers().get("x-api-key")).isEqualTo("sk-test-key");
        assertThat(call.headers()).containsKey("anthropic-version");
        assertThat(call.body().get("system").asText()).isEqualTo("Be brief.");
        assertThat(call.body().get("messages").get(0).get("role").asText()).isEqualTo("user");
    }

    @Test
    void streamCancelAbortsTheLlmCallAndStoresThePartialText() throws Exception {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        llm.reply(new FakeLlm.Chunk("partial"), new FakeLlm.HangUntilClosed());
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "tell me a long story"));
            JsonNode start = c.await("message.stream.start");
            c.await("message.stream.delta");
            c.send("stream.cancel", Map.of("room_id", room, "message_id", start.get("message_id").asText()));
            JsonNode end = terminal(c);
            assertThat(end.get("type").asText()).isEqualTo("message.stream.end");
            assertThat(end.get("finish_reason").asText()).isEqualTo("cancelled");
            assertThat(end.get("content").asText()).isEqualTo("partial");
            assertThat(llm.hungUp().await(5, TimeUnit.SECONDS)).as("the LLM saw the connection closed").isTrue();
        }
        var stored = rest.get("/rooms/" + room + "/messages", VISITOR).json().get("messages");
        assertThat(stored.get(1).get("content").asText()).isEqualTo("partial");
    }

    @Test
    void aReplyThatStreamsOnPastTheSizeLimitIsStoppedThereAndEndsAsLength() throws Exception {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        String chunk = "0123456789".repeat(5_000);
        List<FakeLlm.Step> steps = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            steps.add(new FakeLlm.Chunk(chunk));
        }
        steps.add(new FakeLlm.HangUntilClosed());
        llm.reply(steps.toArray(FakeLlm.Step[]::new));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "tell me everything"));
            JsonNode end = terminal(c);
            assertThat(end.get("type").asText()).isEqualTo("message.stream.end");
            assertThat(end.get("finish_reason").asText()).isEqualTo("length");
            assertThat(end.get("content").asText()).hasSize(1_000_000);
            int streamed = c.seen().stream().filter(e -> is(e, "message.stream.delta"))
                    .mapToInt(e -> e.get("delta").asText().length()).sum();
            assertThat(streamed).isEqualTo(1_000_000);
            assertThat(llm.hungUp().await(5, TimeUnit.SECONDS)).as("the LLM call was aborted").isTrue();
        }
        var stored = rest.get("/rooms/" + room + "/messages?after_seq=1", VISITOR).json().get("messages");
        assertThat(stored.get(0).get("sender_id").asText()).isEqualTo(botId);
        assertThat(stored.get(0).get("content").asText()).hasSize(1_000_000);
    }

    @Test
    void aNewHumanMessageSupersedesTheStreamingReply() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        llm.script(r -> r.body().toString().contains("second")
                ? List.of(new FakeLlm.Chunk("fresh"))
                : List.of(new FakeLlm.Chunk("old"), new FakeLlm.HangUntilClosed()));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "first"));
            String first = c.await("message.stream.start").get("message_id").asText();
            c.await("message.stream.delta");
            c.send("send_message", say(room, "second"));
            JsonNode superseded = c.await(e -> is(e, "message.stream.end")
                    && e.path("message_id").asText().equals(first), "superseded end");
            assertThat(superseded.get("finish_reason").asText()).isEqualTo("superseded");
            assertThat(superseded.get("content").asText()).isEqualTo("old");
            JsonNode next = c.await(e -> is(e, "message.stream.end")
                    && !e.path("message_id").asText().equals(first), "next end");
            assertThat(next.get("content").asText()).isEqualTo("fresh");
        }
        JsonNode lastCall = llm.received().get(llm.received().size() - 1).body().get("messages");
        assertThat(lastCall.get(lastCall.size() - 1).get("content").asText()).isEqualTo("second");
    }

    @Test
    void aReplySupersededWhileTheWebhookThinksGivesItsSlotBackAtOnce() throws Exception {
        server.close();
        server = start(Map.of("BOT_MAX_CONCURRENT_REPLIES", "1", "WEBHOOK_TIMEOUT", "30s"));
        CountDownLatch released = new CountDownLatch(1);
        hook.respond(promptOnceReleased("first", released));
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "first"));
            await().atMost(Duration.ofSeconds(10)).until(() -> hook.ofType("bot.context").size() == 1);
            long sent = System.nanoTime();
            c.send("send_message", say(room, "second"));

            assertThat(c.await("message.stream.end").get("content").asText()).isEqualTo("Hello there");
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
        } finally {
            released.countDown();
        }
        assertThat(llm.received()).hasSize(1);
    }

    @Test
    void messagesDeletedOrEditedWhileTheWebhookThinksReachTheLlmAsTheyAreThen() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        hook.respond(promptOnceReleased("the question", released));
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        try (var c = server.ws(VISITOR)) {
            String secret = rest.post("/rooms/" + room + "/messages", VISITOR, Map.of("content", "my secret"))
                    .json().get("message_id").asText();
            c.await("message.stream.end");
            String typo = rest.post("/rooms/" + room + "/messages", VISITOR, Map.of("content", "a tpyo"))
                    .json().get("message_id").asText();
            c.await("message.stream.end");
            c.send("send_message", say(room, "the question"));
            await().atMost(Duration.ofSeconds(10)).until(() -> hook.ofType("bot.context").size() == 3);
            assertThat(rest.delete("/rooms/" + room + "/messages/" + secret, VISITOR).status()).isEqualTo(204);
            assertThat(rest.put("/rooms/" + room + "/messages/" + typo, VISITOR, Map.of("content", "a typo"))
                    .status()).isEqualTo(200);
            released.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> llm.received().size() == 3);
        } finally {
            released.countDown();
        }
        List<String> sent = llm.received().get(2).body().get("messages").findValuesAsText("content");
        assertThat(sent).contains("a typo", "the question").doesNotContain("my secret", "a tpyo");
    }

    @Test
    void anAgentWritingTakesTheRoomAndEndsTheReplyThenHandsItBack() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        String agent = Tokens.agent("agent-ann");
        llm.reply(new FakeLlm.Chunk("let me"), new FakeLlm.HangUntilClosed());
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "help"));
            c.await("message.stream.delta");
            assertThat(rest.post("/rooms/" + room + "/members", ADMIN, Map.of("user_id", "agent-ann")).status())
                    .isEqualTo(204);
            var sent = rest.post("/rooms/" + room + "/messages", agent, Map.of("content", "Hi, Ann here"));
            assertThat(sent.status()).isEqualTo(200);
            JsonNode end = terminal(c);
            assertThat(end.get("finish_reason").asText()).isEqualTo("handoff");
            JsonNode handoff = c.find("room.handoff");
            assertThat(handoff.get("agent_id").asText()).isEqualTo("agent-ann");
            assertThat(handoff.get("by").asText()).isEqualTo("agent-ann");
            llm.reply(new FakeLlm.Chunk("back"));
            int callsBefore = llm.received().size();
            c.send("send_message", say(room, "thanks Ann"));
            assertThat(c.drain(Duration.ofMillis(800))).noneMatch(e -> is(e, "message.stream.start"));
            assertThat(llm.received()).hasSize(callsBefore);

            var back = rest.post("/rooms/" + room + "/handoff", agent, Map.of("state", "bot", "reason", "done"));
            assertThat(back.status()).isEqualTo(200);
            assertThat(back.json().get("handoff").get("state").asText()).isEqualTo("bot");
            assertThat(rest.post("/rooms/" + room + "/handoff", agent, Map.of("state", "bot")).status()).isEqualTo(200);
            c.send("send_message", say(room, "one more question"));
            assertThat(c.await("message.stream.end").get("content").asText()).isEqualTo("back");
        }
        JsonNode history = llm.received().get(llm.received().size() - 1).body().get("messages");
        assertThat(history.toString()).contains("one more question");
        assertThat(rest.post("/rooms/" + room + "/handoff", VISITOR, Map.of("state", "human")).status())
                .isEqualTo(403);
    }

    @Test
    void aHandoffStoresAndEndsTheStreamingReplyBeforeItsMarker() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        try (var c = server.ws(VISITOR)) {
            for (int round = 0; round < 4; round++) {
                llm.reply(new FakeLlm.Chunk("part " + round), new FakeLlm.HangUntilClosed());
                int from = c.seen().size();
                c.send("send_message", say(room, "question " + round));
                c.await("message.stream.delta");

                var taken = rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "human", "reason", "r"));
                assertThat(taken.status()).as(taken.body()).isEqualTo(200);
                JsonNode marker = c.await(e -> is(e, "message") && e.path("sender_id").asText().equals("system"),
                        "the handoff's marker");
                List<String> order = c.seen().subList(from, c.seen().size()).stream()
                        .filter(e -> !is(e, "message.stream.delta") && !is(e, "message.stream.start"))
                        .map(e -> e.get("type").asText() + (e.has("seq") ? " " + e.get("seq").asLong() : ""))
                        .toList();
                long seq = marker.get("seq").asLong();
                assertThat(order).as("round " + round).containsExactly("message " + (seq - 2),
                        "message.stream.end " + (seq - 1), "room.handoff", "message " + seq);
                var history = rest.get("/rooms/" + room + "/messages", VISITOR).json().get("messages");
                assertThat(history.get(history.size() - 2).get("content").asText()).isEqualTo("part " + round);
                assertThat(Instant.parse(history.get(history.size() - 1).get("created_at").asText()))
                        .as("round %d: the marker is not older than the reply it cut off", round)
                        .isAfterOrEqualTo(Instant.parse(history.get(history.size() - 2).get("created_at").asText()));

                assertThat(rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "bot")).status())
                        .isEqualTo(200);
                c.await(e -> is(e, "message") && e.get("seq").asLong() == seq + 1, "the marker of the way back");
            }
        }
    }

    @Test
    void aHandoffAnswersWithTheRoomAfterItsMarkerWasStored() {
        String room = roomWith(bot(null), "visitor");
        hook.respond(r -> new FakeWebhook.Answer(200, "{\"skip\":true}"));
        rest.post("/rooms/" + room + "/messages", VISITOR, Map.of("content", "hello"));

        var taken = rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "human", "agent_id", "ann"));

        assertThat(taken.status()).as(taken.body()).isEqualTo(200);
        long lastSeq = rest.get("/rooms/" + room, ADMIN).json().get("last_seq").asLong();
        assertThat(lastSeq).isEqualTo(2);
        assertThat(taken.json().get("last_seq").asLong()).isEqualTo(lastSeq);
        var back = rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "bot"));
        assertThat(back.json().get("last_seq").asLong()).isEqualTo(3);
    }

    @Test
    void removingTheBotFromTheRoomEndsItsReplyAsACancel() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        llm.reply(new FakeLlm.Chunk("partial"), new FakeLlm.HangUntilClosed());
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "help"));
            c.await("message.stream.delta");

            assertThat(rest.delete("/rooms/" + room + "/members/" + botId, ADMIN).status()).isEqualTo(204);

            JsonNode end = terminal(c);
            assertThat(end.get("type").asText()).isEqualTo("message.stream.end");
            assertThat(end.get("finish_reason").asText()).isEqualTo("cancelled");
            assertThat(end.get("content").asText()).isEqualTo("partial");
        }
        JsonNode stored = rest.get("/rooms/" + room + "/messages", ADMIN).json().get("messages");
        assertThat(stored.findValuesAsText("content")).containsExactly("help", "partial");
    }

    @Test
    void removingTheBotBeforeItWroteAnythingEndsItsReplyWithACancelledError() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        llm.reply(new FakeLlm.HangUntilClosed());
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "help"));
            c.await("message.stream.start");
            await().atMost(10, TimeUnit.SECONDS).until(() -> !llm.received().isEmpty());

            assertThat(rest.delete("/rooms/" + room + "/members/" + botId, ADMIN).status()).isEqualTo(204);

            JsonNode end = terminal(c);
            assertThat(end.get("type").asText()).isEqualTo("message.stream.error");
            assertThat(end.get("reason").asText()).isEqualTo("cancelled");
        }
        JsonNode stored = rest.get("/rooms/" + room + "/messages", ADMIN).json().get("messages");
        assertThat(stored.findValuesAsText("content")).containsExactly("help");
    }

    @Test
    void handoffMarkersTakeNoPlaceInTheBotsHistory() {
        String room = roomWith(bot(null), "visitor");
        assertThat(rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "human")).status()).isEqualTo(200);
        for (String text : List.of("one", "two", "three")) {
            rest.post("/rooms/" + room + "/messages", VISITOR, Map.of("content", text));
        }
        assertThat(rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "bot")).status()).isEqualTo(200);
        llm.reply(new FakeLlm.Chunk("sure"));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "four"));
            assertThat(c.await("message.stream.end").get("content").asText()).isEqualTo("sure");
        }

        JsonNode context = hook.ofType("bot.context").getLast().json().get("history");
        assertThat(context.findValuesAsText("content")).containsExactly("two", "three", "four");
        JsonNode sent = llm.received().getLast().body().get("messages");
        assertThat(sent.findValuesAsText("content")).containsExactly("Be brief.", "two", "three", "four");
    }

    @Test
    void aSurrogatePairSplitAcrossChunksIsNeverSplitAcrossDeltas() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        llm.reply(new FakeLlm.Raw(openAiRaw("A\\ud83d")), new FakeLlm.Raw(openAiRaw("\\ude00B")),
                new FakeLlm.Raw(openAiRaw("\\ud83d")), new FakeLlm.Raw(openAiRaw("\\ude00")));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "smile"));
            c.await("message.stream.start");
            // deltas that wait in the socket's queue together may go out as one: whatever the grouping, each
            // starts where the text so far ends and none begins or ends inside a surrogate pair
            StringBuilder text = new StringBuilder();
            JsonNode last;
            while (is(last = c.await(e -> is(e, "message.stream.delta") || is(e, "message.stream.end"),
                    "delta or end"), "message.stream.delta")) {
                String delta = last.get("delta").asText();
                assertThat(last.get("offset").asInt()).isEqualTo(text.length());
                assertThat(Character.isLowSurrogate(delta.charAt(0))).as(delta).isFalse();
                assertThat(Character.isHighSurrogate(delta.charAt(delta.length() - 1))).as(delta).isFalse();
                text.append(delta);
            }
            assertThat(text.toString()).isEqualTo("A\ud83d\ude00B\ud83d\ude00");
            assertThat(last.get("content").asText()).isEqualTo("A\ud83d\ude00B\ud83d\ude00");
        }
    }

    private static String openAiRaw(String escapedContent) {
        return "data: {\"choices\":[{\"delta\":{\"content\":\"" + escapedContent + "\"}}]}\n\n";
    }

    @Test
    void aSocketJoiningMidStreamGetsTheTextSoFarThenTheLiveDeltas() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor", "watcher");
        llm.reply(new FakeLlm.Chunk("abc"), new FakeLlm.Pause(600), new FakeLlm.Chunk("def"));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "go"));
            c.await("message.stream.delta");
            try (var late = server.ws(Tokens.user("watcher"))) {
                JsonNode start = late.await("message.stream.start");
                JsonNode catchUp = late.await("message.stream.delta");
                assertThat(catchUp.get("offset").asInt()).isZero();
                assertThat(catchUp.get("delta").asText()).isEqualTo("abc");
                assertThat(catchUp.get("message_id").asText()).isEqualTo(start.get("message_id").asText());
                JsonNode live = late.await("message.stream.delta");
                assertThat(live.get("offset").asInt()).isEqualTo(3);
                assertThat(live.get("delta").asText()).isEqualTo("def");
                assertThat(late.await("message.stream.end").get("content").asText()).isEqualTo("abcdef");
            }
        }
    }

    @Test
    void botManagementRefusesSecretsAndPrivateNetworksAndIsAdminOnly() {
        server.close();
        server = start(Map.of("LLM_ALLOW_PRIVATE_NETWORKS", "false"));
        Map<String, Object> base = Map.of("name", "b", "llm_base_url", "https://llm.invalid/v1",
                "llm_api_key_env", "SUPPORT_API_KEY", "model", "m");
        var privateUrl = new HashMap<>(base);
        privateUrl.put("llm_base_url", llm.baseUrl());
        var r = rest.post("/bots", ADMIN, privateUrl);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("message").asText()).contains("llm_base_url");
        var metadata = new HashMap<>(base);
        metadata.put("llm_base_url", "http://169.254.169.254/latest");
        assertThat(rest.post("/bots", ADMIN, metadata).status()).isEqualTo(400);
        var secret = new HashMap<>(base);
        secret.put("llm_api_key_env", "JWT_SECRET");
        assertThat(rest.post("/bots", ADMIN, secret).json().get("message").asText()).contains("llm_api_key_env");
        var pattern = new HashMap<>(base);
        pattern.put("llm_api_key_env", "HOME");
        assertThat(rest.post("/bots", ADMIN, pattern).status()).isEqualTo(400);
        var ftp = new HashMap<>(base);
        ftp.put("llm_base_url", "ftp://example.invalid");
        assertThat(rest.post("/bots", ADMIN, ftp).status()).isEqualTo(400);
        assertThat(rest.post("/bots", VISITOR, base).status()).isEqualTo(403);
        assertThat(rest.get("/bots", ADMIN).json().get("bots")).isEmpty();
    }

    @Test
    void aBotWhoseKeyVariableTheCurrentPatternRefusesIsCalledWithoutTheKey() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        String database = server.database().toString();
        server.close();
        server = start(Map.of("DATABASE_DSN", "file:" + database, "LLM_KEY_ENV_PATTERN", "^OTHER_[A-Z_]*KEY$"));

        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "still there?"));
            terminal(c);
        }
        assertThat(llm.received()).hasSize(1);
        assertThat(llm.received().get(0).headers()).doesNotContainKey("authorization");
    }

    @Test
    void botsAreListedReadAndDeletedByAdmins() {
        String botId = bot(null);
        JsonNode listed = rest.get("/bots", ADMIN).json().get("bots");
        assertThat(listed.findValuesAsText("bot_id")).containsExactly(botId);
        JsonNode one = rest.get("/bots/" + botId, ADMIN).json();
        assertThat(one.get("llm_api_key_env").asText()).isEqualTo("SUPPORT_API_KEY");
        assertThat(one.toString()).doesNotContain("sk-test-key");
        assertThat(one.get("max_context").asInt()).isEqualTo(3);
        assertThat(rest.get("/bots/" + botId, VISITOR).status()).isEqualTo(403);
        assertThat(rest.delete("/bots/" + botId, ADMIN).status()).isEqualTo(204);
        assertThat(rest.get("/bots/" + botId, ADMIN).status()).isEqualTo(404);
    }

    /** The stream frames a client got, as {@code type offset delta} or {@code type reason} lines. */
    private static List<String> streamFrames(WsClient c) {
        List<String> frames = new ArrayList<>();
        for (JsonNode e : c.seen()) {
            String type = e.path("type").asText();
            switch (type) {
                case "message.stream.start" -> frames.add(type);
                case "message.stream.delta" -> frames.add(type + " " + e.get("offset").asInt() + " "
                        + e.get("delta").asText());
                case "message.stream.end" -> frames.add(type + " " + e.get("finish_reason").asText());
                case "message.stream.error" -> frames.add(type + " " + e.get("reason").asText());
                default -> {
                }
            }
        }
        return frames;
    }

    @Test
    void aMemberRemovedMidStreamGetsNothingMoreOfTheReply() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor", "watcher");
        CountDownLatch gate = new CountDownLatch(1);
        llm.reply(new FakeLlm.Chunk("abc"), new FakeLlm.Gate(gate), new FakeLlm.Chunk("def"));
        try (var c = server.ws(VISITOR); var watcher = server.ws(Tokens.user("watcher"))) {
            c.send("send_message", say(room, "secret stuff"));
            watcher.await("message.stream.delta");

            assertThat(rest.delete("/rooms/" + room + "/members/watcher", ADMIN).status()).isEqualTo(204);
            gate.countDown();

            assertThat(c.await("message.stream.end").get("content").asText()).isEqualTo("abcdef");
            watcher.drain(Duration.ofMillis(500));
            assertThat(streamFrames(watcher)).containsExactly("message.stream.start", "message.stream.delta 0 abc");
        }
    }

    @Test
    void membersAddedMidStreamGetTheTextSoFarThenTheLiveDeltasAndTheEnding() {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        CountDownLatch gate = new CountDownLatch(1);
        // after "def" the LLM stays silent past LLM_IDLE_TIMEOUT (2 s): the reply ends with an error
        llm.reply(new FakeLlm.Chunk("abc"), new FakeLlm.Gate(gate), new FakeLlm.Chunk("def"), new FakeLlm.Pause(5000));
        try (var c = server.ws(VISITOR); var early = server.ws(Tokens.user("early"))) {
            c.send("send_message", say(room, "go"));
            c.await("message.stream.delta");
            assertThat(rest.post("/rooms/" + room + "/members", ADMIN, Map.of("user_id", "early")).status())
                    .isEqualTo(204);
            assertThat(rest.post("/rooms/" + room + "/members", ADMIN, Map.of("user_id", "late")).status())
                    .isEqualTo(204);
            try (var late = server.ws(Tokens.user("late"))) {
                early.await("message.stream.delta");
                late.await("message.stream.delta");
                gate.countDown();

                assertThat(terminal(c).get("reason").asText()).isEqualTo("timeout");
                for (WsClient joined : List.of(early, late)) {
                    terminal(joined);
                    joined.drain(Duration.ofMillis(300));
                    assertThat(streamFrames(joined)).containsExactly("message.stream.start",
                            "message.stream.delta 0 abc", "message.stream.delta 3 def", "message.stream.error timeout");
                }
            }
        }
    }

    @Test
    void deletingABotWhileItStreamsEndsItsReplyAndStoresNothing() throws Exception {
        String botId = bot(null);
        String room = roomWith(botId, "visitor");
        llm.reply(new FakeLlm.Chunk("partial"), new FakeLlm.HangUntilClosed());
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "help"));
            c.await("message.stream.delta");

            assertThat(rest.delete("/bots/" + botId, ADMIN).status()).isEqualTo(204);

            JsonNode end = terminal(c);
            assertThat(end.get("type").asText()).isEqualTo("message.stream.error");
            assertThat(end.get("reason").asText()).isEqualTo("cancelled");
            assertThat(llm.hungUp().await(5, TimeUnit.SECONDS)).as("the LLM saw the connection closed").isTrue();
        }
        JsonNode stored = rest.get("/rooms/" + room + "/messages", ADMIN).json().get("messages");
        assertThat(stored.findValuesAsText("content")).containsExactly("help");
    }
}
