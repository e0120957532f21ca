package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bot replies a graceful stop cuts short or keeps from starting are run again after the restart, once. */
class BotRestartTest {
    private static final String ADMIN = Tokens.admin("backend");
    private static final String VISITOR = Tokens.user("visitor");
    private static final String PROMPT = "{\"system_prompt\":\"Be brief.\"}";
    /** In the stored form of a time: nanoseconds since the epoch. */
    private static final long FIVE_MINUTES_AGO = Instant.now().minusSeconds(300).toEpochMilli() * 1_000_000;
    private FakeWebhook hook;
    private FakeLlm llm;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        hook = new FakeWebhook();
        llm = new FakeLlm();
        hook.respond(r -> new FakeWebhook.Answer(200, PROMPT));
        server = TestServer.start(settings(Map.of()));
    }

    private Map<String, String> settings(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of("WEBHOOK_URL", hook.url(),
                "WEBHOOK_SECRET", "s3cret", "WEBHOOK_TIMEOUT", "30s", "LLM_ALLOW_PRIVATE_NETWORKS", "true",
                "SUPPORT_API_KEY", "sk-test-key"));
        env.putAll(more);
        return env;
    }

    @AfterEach
    void stop() {
        server.close();
        llm.close();
        hook.close();
    }

    private String bot() {
        var created = server.rest().post("/bots", ADMIN, Map.of("name", "Support", "llm_base_url", llm.baseUrl(),
                "llm_api_key_env", "SUPPORT_API_KEY", "model", "m-1", "max_context", 3));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("bot_id").asText();
    }

    private String roomWith(String botId) {
        var r = server.rest().post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("visitor", botId)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("room_id").asText();
    }

    private static Map<String, Object> say(String room, String content) {
        return Map.of("room_id", room, "content", content);
    }

    private JsonNode stored(String room) {
        return server.rest().get("/rooms/" + room + "/messages", VISITOR).json().get("messages");
    }

    private static boolean is(JsonNode e, String type) {
        return e.path("type").asText().equals(type);
    }

    /** Sends a question in each room and waits until each reply streams its first text, which never ends. */
    private void streamingInto(WsClient c, String... rooms) {
        llm.reply(new FakeLlm.Chunk("partial"), new FakeLlm.HangUntilClosed());
        for (String room : rooms) {
            c.send("send_message", say(room, "Where is my order?"));
            c.await(e -> is(e, "message.stream.delta") && e.path("room_id").asText().equals(room), "text in " + room);
        }
    }

    @Test
    void aReplyStreamingAtAGracefulStopIsStreamedAgainAfterTheRestartAndStoredOnce() {
        String room = roomWith(bot());
        CountDownLatch rest = new CountDownLatch(1);
        try (var c = server.ws(VISITOR)) {
            streamingInto(c, room);
            llm.reply(new FakeLlm.Chunk("Hello"), new FakeLlm.Gate(rest), new FakeLlm.Chunk(" there"));
            server.restart();
            JsonNode cut = c.await(e -> is(e, "message.stream.error"), "the reply cut by the stop");
            assertThat(cut.get("reason").asText()).isEqualTo("shutdown");
        }

        try (var back = server.ws(VISITOR)) {
            JsonNode start = back.await("message.stream.start");
            assertThat(start.get("room_id").asText()).isEqualTo(room);
            rest.countDown();
            JsonNode end = back.await("message.stream.end");
            assertThat(end.get("message_id").asText()).isEqualTo(start.get("message_id").asText());
            assertThat(end.get("content").asText()).isEqualTo("Hello there");
        } finally {
            rest.countDown();
        }
        JsonNode messages = stored(room);
        assertThat(messages).hasSize(2);
        assertThat(messages.get(1).get("content").asText()).isEqualTo("Hello there");
        assertThat(hook.ofType("bot.context")).hasSize(2);
        assertThat(llm.received()).hasSize(2);
        JsonNode history = llm.received().get(1).body().get("messages");
        assertThat(history.get(history.size() - 1).get("content").asText()).isEqualTo("Where is my order?");
    }

    /**
     * Replies waiting for a reply slot when the stop comes are kept too, also those that take a slot the replies it
     * ends give back before it comes to them.
     */
    @Test
    void everyReplyWaitingForASlotAtTheStopRunsAfterTheRestart() {
        server.close();
        server = TestServer.start(settings(Map.of("RATE_LIMIT_MESSAGES", "0")));
        String botId = bot();
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // a user's replies take 16 slots at most: 24 wait
            rooms.add(roomWith(botId));
        }
        llm.reply(new FakeLlm.Chunk("partial"), new FakeLlm.HangUntilClosed());
        try (var c = server.ws(VISITOR)) {
            for (String room : rooms) {
                c.send("send_message", say(room, "Where is my order?"));
                c.await(e -> is(e, "message.sent") || is(e, "message") && e.path("room_id").asText().equals(room)
                        && e.path("sender_id").asText().equals("visitor"), "the question in " + room);
            }
            c.find("message.stream.delta");
            llm.reply(new FakeLlm.Chunk("On its way."));
            server.restart();
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rooms)
                .allSatisfy(room -> assertThat(stored(room)).as("messages of %s", room).hasSize(2)));
        rooms.forEach(room -> assertThat(stored(room).get(1).get("content").asText()).isEqualTo("On its way."));
    }

    @Test
    void aReplyWaitingForTheWebhookAtTheStopIsRunAfterTheRestart() {
        String room = roomWith(bot());
        CountDownLatch released = new CountDownLatch(1);
        hook.respond(r -> hook.ofType("bot.context").size() == 1 ? promptOnce(released)
                : new FakeWebhook.Answer(200, PROMPT));
        try (var c = server.ws(VISITOR)) {
            c.send("send_message", say(room, "Where is my order?"));
            await().atMost(Duration.ofSeconds(10)).until(() -> hook.ofType("bot.context").size() == 1);
            server.restart();
        } finally {
            released.countDown();
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> stored(room).size() == 2);
        assertThat(stored(room).get(1).get("content").asText()).isEqualTo("Hello there");
        assertThat(hook.ofType("bot.context")).hasSize(2);
        assertThat(llm.received()).hasSize(1);
    }

    @Test
    void aSecondRestartDoesNotRunTheReplyAgain() {
        String room = roomWith(bot());
        try (var c = server.ws(VISITOR)) {
            streamingInto(c, room);
            llm.reply(new FakeLlm.Chunk("Hello"), new FakeLlm.Chunk(" there"));
            server.restart();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(room).size() == 2);

        server.restart();
        try (var back = server.ws(VISITOR)) {
            assertThat(back.drain(Duration.ofSeconds(1))).noneMatch(e -> is(e, "message.stream.start"));
        }
        assertThat(stored(room)).hasSize(2);
        assertThat(llm.received()).hasSize(2);
    }

    @Test
    void noReplyRunsAgainInARoomHandedToAHumanForADeletedMessageOrWhenANewerMessageCame() {
        String botId = bot();
        String handedOver = roomWith(botId);
        String deleted = roomWith(botId);
        String newer = roomWith(botId);
        String untouched = roomWith(botId);
        try (var c = server.ws(VISITOR)) {
            streamingInto(c, handedOver, deleted, newer, untouched);
            llm.reply(new FakeLlm.Chunk("Hello"), new FakeLlm.Chunk(" there"));
            String deletedId = stored(deleted).get(0).get("message_id").asText();
            server.restart(() -> changeWhileStopped(
                    "UPDATE rooms SET handoff_state = 'human' WHERE id = '" + handedOver + "'",
                    "DELETE FROM messages WHERE id = '" + deletedId + "'",
                    "UPDATE rooms SET last_seq = 2 WHERE id = '" + newer + "'",
                    "INSERT INTO messages (id, room_id, seq, sender_id, content, created_at) VALUES ('msg_newer', '"
                            + newer + "', 2, 'visitor', 'anyone there?', 1)"));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> stored(untouched).size() == 2);
        try (var back = server.ws(VISITOR)) {
            back.drain(Duration.ofMillis(500));
        }
        assertThat(llm.received()).hasSize(5);
        assertThat(hook.ofType("bot.context")).hasSize(5);
        assertThat(stored(handedOver)).hasSize(1);
        assertThat(stored(deleted)).isEmpty();
        assertThat(stored(newer)).hasSize(2);
    }

    /**
     * A re-run that a second stop finds not yet started is kept again, as of the first stop: its 10 minutes count
     * from when the question went unanswered, not from the latest stop.
     */
    @Test
    void aReRunKeptAgainKeepsTheTimeOfTheFirstStop() {
        String room = roomWith(bot());
        CountDownLatch released = new CountDownLatch(1);
        try (var c = server.ws(VISITOR)) {
            streamingInto(c, room);
            // the re-run's bot.context waits: it has not started when the next stop comes
            hook.respond(r -> promptOnce(released));
            server.restart(() -> changeWhileStopped("UPDATE owed_replies SET owed_at = " + FIVE_MINUTES_AGO));
        }
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> hook.ofType("bot.context").size() == 2);
            server.restart(() -> assertThat(owedAt()).as("kept again, as of the first stop")
                    .containsExactly(FIVE_MINUTES_AGO));
        } finally {
            released.countDown();
        }
    }

    /** The webhook's system prompt once {@code released} (30 s at most): its reply does not start until then. */
    private static FakeWebhook.Answer promptOnce(CountDownLatch released) {
        try {
            released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new FakeWebhook.Answer(200, PROMPT);
    }

    private List<Long> owedAt() {
        List<Long> times = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + server.database());
             PreparedStatement statement = connection.prepareStatement("SELECT owed_at FROM owed_replies");
             var rows = statement.executeQuery()) {
            while (rows.next()) {
                times.add(rows.getLong(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return times;
    }

    /** Changes the database file as another process would while the server is stopped. */
    private void changeWhileStopped(String... statements) {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + server.database())) {
            for (String sql : statements) {
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    statement.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
