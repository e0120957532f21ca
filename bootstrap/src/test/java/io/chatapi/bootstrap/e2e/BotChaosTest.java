package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A bot room under random pressure: human messages arriving while replies stream (supersede), cancels, an agent
 * taking the room and handing it back, a member's second socket dropping and reconnecting mid-stream, and an
 * LLM that streams, fails, stays silent or hangs, all from a fixed seed. Afterwards, on a socket that watched
 * from the start: every reply that started ended exactly once, deltas carry each piece of text once at its
 * offset, an {@code end} holds the text its deltas gave and is the stored message of that id, an {@code error}
 * left nothing stored; on the sockets that joined mid-stream: no reply text before its {@code start}, and no
 * delta beyond the text given.
 */
class BotChaosTest {
    private static final String ADMIN = Tokens.admin("backend");
    private static final String AGENT = Tokens.agent("agent-ann");
    private static final long SEED = Long.getLong("chaos.seed", 20261126L);
    private static final Duration CHAOS = Duration.ofSeconds(6);
    private static final Duration SETTLE = Duration.ofMillis(1_500);
    private static final Duration REPLIES_END = Duration.ofSeconds(20);
    private static final Duration QUIET = Duration.ofMillis(300);

    private final Random random = new Random(SEED);
    private final Random llmRandom = new Random(SEED + 1);

    @Test
    void everyStartedReplyEndsOnceAndWhatEndedIsWhatIsStored() throws Exception {
        try (FakeWebhook hook = new FakeWebhook(); FakeLlm llm = new FakeLlm()) {
            hook.respond(r -> new FakeWebhook.Answer(200, "{\"system_prompt\":\"Be brief.\"}"));
            llm.script(r -> llmSteps());
            try (var server = TestServer.start(Map.of("WEBHOOK_URL", hook.url(), "LLM_ALLOW_PRIVATE_NETWORKS", "true",
                    "CHAOS_API_KEY", "sk-chaos", "LLM_IDLE_TIMEOUT", "1s",
                    // a hung answer keeps its connection busy with comments, which the idle time-out counts as
                    // data: the total time-out ends one left hanging when the chaos stops
                    "LLM_TOTAL_TIMEOUT", "6s"))) {
                Rest rest = server.rest();
                var bot = rest.post("/bots", ADMIN, Map.of("name", "Helper", "llm_base_url", llm.baseUrl(),
                        "llm_api_key_env", "CHAOS_API_KEY", "model", "m-1", "max_context", 4));
                assertThat(bot.status()).as(bot.body()).isEqualTo(201);
                String botId = bot.json().path("bot_id").asText();
                var created = rest.post("/rooms", ADMIN, Map.of("type", "group",
                        "members", List.of("visitor", "watcher", "agent-ann", botId)));
                String room = created.json().path("room_id").asText();

                List<WsClient> joiners = new ArrayList<>();
                try (WsClient watcher = server.ws(Tokens.user("watcher"));
                     WsClient visitor = server.ws(Tokens.user("visitor"))) {
                    joiners.add(server.ws(Tokens.user("visitor")));
                    String streaming = null;
                    int human = 0;
                    long until = System.nanoTime() + CHAOS.toNanos();
                    while (System.nanoTime() < until) {
                        for (JsonNode e = visitor.next(Duration.ZERO); e != null; e = visitor.next(Duration.ZERO)) {
                            if (is(e, "message.stream.start")) {
                                streaming = e.path("message_id").asText();
                            }
                        }
                        int action = random.nextInt(100);
                        if (action < 45) {
                            visitor.send("send_message", Map.of("room_id", room, "content", "question " + human++));
                        } else if (action < 60 && streaming != null) {
                            visitor.send("stream.cancel", Map.of("room_id", room, "message_id", streaming));
                        } else if (action < 68) {
                            rest.post("/rooms/" + room + "/handoff", AGENT, Map.of("state", "human", "reason", "chaos"));
                        } else if (action < 80) {
                            rest.post("/rooms/" + room + "/handoff", AGENT, Map.of("state", "bot"));
                        } else if (action < 85) {
                            rest.post("/rooms/" + room + "/messages", AGENT, Map.of("content", "agent here"));
                        } else if (action < 95) {
                            joiners.get(joiners.size() - 1).drop();
                            joiners.add(WsClient.connect(server.port(), Tokens.user("visitor")));
                        }
                        Thread.sleep(10 + random.nextInt(80));
                    }
                    List<JsonNode> watched = afterEveryReplyEnded(watcher);
                    Map<String, JsonNode> stored = storedById(rest, room);

                    Map<String, Reply> replies = replies(watched, "watcher");
                    assertThat(replies).as("replies seen (seed %d)", SEED).hasSizeGreaterThan(5);
                    int ended = 0;
                    int failed = 0;
                    for (Reply reply : replies.values()) {
                        String what = "reply " + reply.id + " (seed " + SEED + ")";
                        assertThat(reply.started).as("start before anything else of %s", what).isTrue();
                        assertThat(reply.terminals).as("terminal events of %s", what).hasSize(1);
                        JsonNode terminal = reply.terminals.get(0);
                        if (is(terminal, "message.stream.end")) {
                            ended++;
                            JsonNode message = stored.get(reply.id);
                            assertThat(message).as("stored message of %s", what).isNotNull();
                            assertThat(message.path("sender_id").asText()).isEqualTo(botId);
                            assertThat(message.path("content").asText()).isEqualTo(terminal.path("content").asText());
                            assertThat(message.path("seq").asLong()).isEqualTo(terminal.path("seq").asLong());
                            assertThat(terminal.path("content").asText()).as("end of %s holds its deltas", what)
                                    .startsWith(reply.text.toString());
                        } else {
                            failed++;
                            assertThat(stored).as("nothing stored for the failed %s", what).doesNotContainKey(reply.id);
                        }
                    }
                    assertThat(ended).as("replies that ended (seed %d)", SEED).isPositive();
                    assertThat(failed).as("replies that failed (seed %d)", SEED).isPositive();
                    stored.values().stream().filter(m -> botId.equals(m.path("sender_id").asText()))
                            .forEach(m -> assertThat(replies).as("a stored bot message came with its stream")
                                    .containsKey(m.path("message_id").asText()));

                    for (int i = 0; i < joiners.size(); i++) {
                        replies(joiners.get(i).drain(Duration.ofMillis(50)), "joiner " + i);
                    }
                    assertThat(joiners).hasSizeGreaterThan(3);
                } finally {
                    joiners.forEach(WsClient::drop);
                }
            }
        }
    }

    /**
     * What the socket received once every reply it saw start has ended, waiting at least {@link #SETTLE} (a reply
     * may still start for the last question) and at most {@link #REPLIES_END}: hung replies end by the total
     * time-out, however slowly a loaded machine runs them. Then {@link #QUIET} more, so that a second terminal
     * event of a reply would be seen too.
     */
    private static List<JsonNode> afterEveryReplyEnded(WsClient socket) {
        List<JsonNode> events = new ArrayList<>();
        Set<String> open = new HashSet<>();
        long settled = System.nanoTime() + SETTLE.toNanos();
        long deadline = System.nanoTime() + REPLIES_END.toNanos();
        while (System.nanoTime() < settled || !open.isEmpty() && System.nanoTime() < deadline) {
            JsonNode e = socket.next(Duration.ofMillis(100));
            if (e == null) {
                continue;
            }
            events.add(e);
            String type = e.path("type").asText();
            if (type.equals("message.stream.start")) {
                open.add(e.path("message_id").asText());
            } else if (type.equals("message.stream.end") || type.equals("message.stream.error")) {
                open.remove(e.path("message_id").asText());
            }
        }
        events.addAll(socket.drain(QUIET));
        return events;
    }

    /** A random LLM answer: a few chunks with pauses, sometimes a failure, no text, or a hang. */
    private List<FakeLlm.Step> llmSteps() {
        synchronized (llmRandom) {
            int kind = llmRandom.nextInt(10);
            if (kind == 0) {
                return List.of(new FakeLlm.Status(500));
            }
            List<FakeLlm.Step> steps = new ArrayList<>();
            int chunks = kind == 1 ? 0 : 1 + llmRandom.nextInt(8);
            for (int i = 0; i < chunks; i++) {
                steps.add(new FakeLlm.Pause(5 + llmRandom.nextInt(40)));
                steps.add(new FakeLlm.Chunk("w" + i + (llmRandom.nextBoolean() ? " ✓ " : " ")));
            }
            if (kind == 2) {
                steps.add(new FakeLlm.HangUntilClosed());
            }
            return steps;
        }
    }

    /** One reply as a socket saw it. */
    private static final class Reply {
        final String id;
        boolean started;
        final StringBuilder text = new StringBuilder();
        final List<JsonNode> terminals = new ArrayList<>();

        Reply(String id) {
            this.id = id;
        }
    }

    /**
     * The socket's stream events by reply, checking as it goes that no delta comes before its start or after its
     * end, and that every delta starts where the text given so far ends (on a socket that joined mid-reply: within
     * it, the overlap being dropped as clients do).
     */
    private static Map<String, Reply> replies(List<JsonNode> events, String socket) {
        Map<String, Reply> replies = new LinkedHashMap<>();
        boolean watchedFromTheStart = !socket.startsWith("joiner");
        for (JsonNode e : events) {
            String type = e.path("type").asText();
            if (!type.startsWith("message.stream.")) {
                continue;
            }
            String id = e.path("message_id").asText();
            Reply reply = replies.computeIfAbsent(id, Reply::new);
            String what = type + " of " + id + " on " + socket + " (seed " + SEED + ")";
            switch (type) {
                case "message.stream.start" -> {
                    assertThat(reply.started).as("a second start: %s", what).isFalse();
                    reply.started = true;
                }
                case "message.stream.delta" -> {
                    assertThat(reply.started).as("%s before its start", what).isTrue();
                    assertThat(reply.terminals).as("%s after its end", what).isEmpty();
                    int offset = e.path("offset").asInt(-1);
                    String delta = e.path("delta").asText();
                    if (watchedFromTheStart) {
                        assertThat(offset).as("offset of %s", what).isEqualTo(reply.text.length());
                    } else {
                        assertThat(offset).as("offset of %s", what).isBetween(0, reply.text.length());
                    }
                    if (offset + delta.length() > reply.text.length()) {
                        reply.text.append(delta, reply.text.length() - offset, delta.length());
                    }
                }
                default -> reply.terminals.add(e);
            }
        }
        if (!watchedFromTheStart) {
            // a socket that opened mid-reply may see the end of a reply it never saw start: the end is complete
            replies.values().removeIf(r -> !r.started);
        }
        return replies;
    }

    private static Map<String, JsonNode> storedById(Rest rest, String room) {
        Map<String, JsonNode> out = new HashMap<>();
        rest.allMessages(room, ADMIN).forEach(m -> out.put(m.path("message_id").asText(), m));
        return out;
    }

    private static boolean is(JsonNode e, String type) {
        return type.equals(e.path("type").asText());
    }
}
