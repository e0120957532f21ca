package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Handoff changes that race each other, and the agent ids a handoff refuses. */
class HandoffTest {
    private static final String ADMIN = Tokens.admin("backend");
    private static FakeWebhook hook;
    private static TestServer server;
    private static Rest rest;
    private static String botId;

    @BeforeAll
    static void start() throws Exception {
        hook = new FakeWebhook();
        hook.respond(r -> new FakeWebhook.Answer(200, "{\"skip\":true}"));
        server = TestServer.start(Map.of("WEBHOOK_URL", hook.url(), "LLM_ALLOW_PRIVATE_NETWORKS", "true",
                "SUPPORT_API_KEY", "sk-test-key", "RATE_LIMIT_MESSAGES", "0"));
        rest = server.rest();
        var bot = rest.post("/bots", ADMIN, Map.of("name", "Helper", "llm_base_url", "http://127.0.0.1:9/v1",
                "llm_api_key_env", "SUPPORT_API_KEY", "model", "m-1"));
        assertThat(bot.status()).as(bot.body()).isEqualTo(201);
        botId = bot.json().get("bot_id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
        hook.close();
    }

    private static String botRoom(String... humans) {
        List<String> members = new ArrayList<>(List.of(humans));
        members.add(botId);
        var r = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", members));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("room_id").asText();
    }

    private static List<JsonNode> markers(String room) {
        List<JsonNode> out = new ArrayList<>();
        rest.get("/rooms/" + room + "/messages?limit=100", ADMIN).json().get("messages").forEach(m -> {
            if (m.get("sender_id").asText().equals("system")) {
                out.add(m);
            }
        });
        return out;
    }

    /** Runs the calls at once (released together) and returns their results. */
    private static <T> List<T> together(List<Callable<T>> calls) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> call : calls) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        }
    }

    @Test
    void identicalHandoffsAtOnceChangeTheRoomOnce() throws Exception {
        String room = botRoom("visitor");
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(() -> rest.post("/rooms/" + room + "/handoff", ADMIN,
                    Map.of("state", "human", "agent_id", "agent_x")).status());
        }
        assertThat(together(calls)).containsOnly(200);
        assertThat(markers(room)).hasSize(1);
        var state = rest.get("/rooms/" + room, ADMIN).json().get("handoff");
        assertThat(state.get("state").asText()).isEqualTo("human");
        assertThat(state.get("agent_id").asText()).isEqualTo("agent_x");
    }

    @Test
    void anAdminNamingNoAgentForARoomAlreadyWithAHumanChangesNothing() {
        String room = botRoom("visitor");
        assertThat(rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "human", "agent_id", "agent_k"))
                .status()).isEqualTo(200);

        var again = rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "human"));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("handoff").get("agent_id").asText()).isEqualTo("agent_k");
        assertThat(markers(room)).hasSize(1);
        var state = rest.get("/rooms/" + room, ADMIN).json().get("handoff");
        assertThat(state.get("agent_id").asText()).isEqualTo("agent_k");
    }

    @Test
    void aNewReasonAloneIsAChangeAndNoReasonKeepsTheCurrentOne() {
        String room = botRoom("visitor");
        String path = "/rooms/" + room + "/handoff";
        var first = rest.post(path, ADMIN, Map.of("state", "human", "agent_id", "agent_q", "reason", "r1"));
        assertThat(first.status()).isEqualTo(200);
        String since = first.json().get("handoff").get("since").asText();

        var changed = rest.post(path, ADMIN, Map.of("state", "human", "agent_id", "agent_q", "reason", "r2"));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("handoff").get("reason").asText()).isEqualTo("r2");
        assertThat(changed.json().get("handoff").get("since").asText()).as("still with agent_q since then")
                .isEqualTo(since);
        assertThat(markers(room)).extracting(m -> m.get("content").asText())
                .containsExactly("Conversation handed to agent_q: r1", "Handoff reason changed: r2");

        var same = rest.post(path, ADMIN, Map.of("state", "human", "agent_id", "agent_q"));
        assertThat(same.json().get("handoff").get("reason").asText()).isEqualTo("r2");
        assertThat(rest.post(path, ADMIN, Map.of("state", "human", "reason", "r2")).status()).isEqualTo(200);
        assertThat(markers(room)).hasSize(2);
        assertThat(rest.get("/rooms/" + room, ADMIN).json().get("handoff").get("reason").asText()).isEqualTo("r2");
    }

    @Test
    void agentMessagesAtOnceTakeTheRoomOnce() throws Exception {
        String room = botRoom("visitor", "agent_r");
        String agent = Tokens.agent("agent_r");
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String text = "on it " + i;
            calls.add(() -> rest.post("/rooms/" + room + "/messages", agent, Map.of("content", text)).status());
        }
        assertThat(together(calls)).containsOnly(200);
        assertThat(markers(room)).hasSize(1);
        assertThat(markers(room).getFirst().get("seq").asLong()).isEqualTo(1);
        assertThat(rest.get("/rooms/" + room + "/messages", ADMIN).json().get("messages")).hasSize(5);
    }

    /**
     * A message sent as the room is handed back to its bot is judged by where it lands: after the
     * "handed back" marker it triggers the bot (a visitor's) or takes the room again (an agent's), before it it
     * does neither. Many rooms at once, so that some messages land on each side.
     */
    @Test
    void aMessageSentAsTheRoomGoesBackToTheBotIsJudgedByWhereItLands() throws Exception {
        int rooms = 40;
        List<String> ids = new ArrayList<>();
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < rooms; i++) {
            boolean fromAgent = i % 2 == 1;
            String room = botRoom("rv" + i);
            var human = rest.post("/rooms/" + room + "/handoff", ADMIN,
                    Map.of("state", "human", "agent_id", "ra" + i));
            assertThat(human.status()).as(human.body()).isEqualTo(200);
            ids.add(room);
            String sender = fromAgent ? Tokens.agent("ra" + i) : Tokens.user("rv" + i);
            calls.add(() -> rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "bot")).status());
            calls.add(() -> rest.post("/rooms/" + room + "/messages", sender, Map.of("content", "racing")).status());
        }
        assertThat(together(calls)).containsOnly(200);

        Map<String, String> triggers = new HashMap<>(); // message id -> room
        int after = 0;
        for (int i = 0; i < rooms; i++) {
            String room = ids.get(i);
            String agentMarker = "Conversation handed to ra" + i;
            List<JsonNode> messages = new ArrayList<>();
            rest.get("/rooms/" + room + "/messages?limit=100", ADMIN).json().get("messages").forEach(messages::add);
            long back = seqOf(messages, m -> m.get("content").asText().equals("Conversation handed back to the bot"));
            long racing = seqOf(messages, m -> m.get("content").asText().equals("racing"));
            JsonNode handoff = rest.get("/rooms/" + room, ADMIN).json().get("handoff");
            if (i % 2 == 1) {
                String state = racing > back ? "human" : "bot";
                assertThat(handoff.get("state").asText()).as("room %d: racing %d, back %d", i, racing, back)
                        .isEqualTo(state);
                if (racing > back) {
                    assertThat(seqOf(messages, m -> m.get("content").asText().equals(agentMarker)
                            && m.get("seq").asLong() > back)).as("room %d", i).isBetween(back + 1, racing - 1);
                }
            } else if (racing > back) {
                after++;
                triggers.put(messages.stream().filter(m -> m.get("seq").asLong() == racing).findFirst().orElseThrow()
                        .get("message_id").asText(), room);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Set<String> asked = new HashSet<>();
        while (System.nanoTime() < deadline) {
            asked.clear();
            hook.ofType("bot.context").forEach(r -> asked.add(r.json().get("message").get("message_id").asText()));
            if (asked.containsAll(triggers.keySet())) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(asked).as("%d visitor messages after the marker", after).containsAll(triggers.keySet());
        for (int i = 0; i < rooms; i += 2) {
            String room = ids.get(i);
            List<JsonNode> messages = new ArrayList<>();
            rest.get("/rooms/" + room + "/messages?limit=100", ADMIN).json().get("messages").forEach(messages::add);
            String racingId = messages.stream().filter(m -> m.get("content").asText().equals("racing")).findFirst()
                    .orElseThrow().get("message_id").asText();
            if (!triggers.containsKey(racingId)) {
                assertThat(asked).as("room %d: a message sent while a human had the room", i).doesNotContain(racingId);
            }
        }
    }

    private static long seqOf(List<JsonNode> messages, Predicate<JsonNode> match) {
        return messages.stream().filter(match).findFirst().orElseThrow().get("seq").asLong();
    }

    @Test
    void anAgentWhoLeftIsAddedBackByAHandoffToThemAndOtherwiseTheNextAgentWhoWritesTakesTheRoom() {
        String room = botRoom("visitor");
        String gil = Tokens.agent("gil");
        String path = "/rooms/" + room + "/handoff";
        assertThat(rest.post(path, gil, Map.of("state", "human")).status()).isEqualTo(200);
        assertThat(rest.delete("/rooms/" + room + "/members/gil", ADMIN).status()).isEqualTo(204);
        assertThat(rest.get("/rooms/" + room + "/messages", gil).status()).isEqualTo(403);

        var again = rest.post(path, gil, Map.of("state", "human"));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("handoff").get("agent_id").asText()).isEqualTo("gil");
        assertThat(rest.get("/rooms/" + room + "/messages", gil).status()).isEqualTo(200);
        assertThat(markers(room)).extracting(m -> m.get("content").asText())
                .containsExactly("Conversation handed to gil", "Conversation handed to gil");

        assertThat(rest.delete("/rooms/" + room + "/members/gil", gil).status()).isEqualTo(204);
        assertThat(rest.post("/rooms/" + room + "/members", ADMIN, Map.of("user_id", "hal")).status()).isEqualTo(204);
        assertThat(rest.post("/rooms/" + room + "/messages", Tokens.agent("hal"), Map.of("content", "I'm here"))
                .status()).isEqualTo(200);
        var state = rest.get("/rooms/" + room, ADMIN).json().get("handoff");
        assertThat(state.get("state").asText()).isEqualTo("human");
        assertThat(state.get("agent_id").asText()).as("gil left: hal, who wrote, has it").isEqualTo("hal");

        assertThat(rest.delete("/rooms/" + room + "/members/hal", ADMIN).status()).isEqualTo(204);
        var none = rest.post(path, ADMIN, Map.of("state", "human"));
        assertThat(none.status()).as(none.body()).isEqualTo(200);
        assertThat(none.json().get("handoff").has("agent_id")).as("hal left: an admin naming no agent clears it")
                .isFalse();
        assertThat(rest.get("/rooms/" + room + "/members", ADMIN).json().get("members"))
                .extracting(m -> m.get("user_id").asText()).containsExactlyInAnyOrder("visitor", botId);
        assertThat(markers(room)).hasSize(4);
    }

    @Test
    void aUserWhoMayNotChangeTheStateIsRefusedWhateverTheBody() {
        String room = botRoom("visitor");
        for (String body : List.of("{", "{\"state\":\"human\"}", "[]")) {
            var refused = rest.post("/rooms/" + room + "/handoff", Tokens.user("visitor"), body);
            assertThat(refused.status()).as(body).isEqualTo(403);
            assertThat(refused.error()).isEqualTo("forbidden");
        }
    }

    @Test
    void aDmBetweenTwoPeopleIsNotHandedToAnAgentOutsideIt() {
        var dm = rest.post("/rooms", Tokens.user("pa"), Map.of("type", "dm", "members", List.of("pa", "pb")));
        assertThat(dm.status()).as(dm.body()).isEqualTo(200);
        String room = dm.json().get("room_id").asText();
        rest.post("/rooms/" + room + "/messages", Tokens.user("pa"), Map.of("content", "private"));
        String mallory = Tokens.agent("mallory");

        var byAgent = rest.post("/rooms/" + room + "/handoff", mallory, Map.of("state", "human"));
        var byAdmin = rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "human", "agent_id", "ann"));

        assertThat(byAgent.status()).as(byAgent.body()).isEqualTo(400);
        assertThat(byAdmin.status()).as(byAdmin.body()).isEqualTo(400);
        assertThat(rest.get("/rooms/" + room + "/messages", mallory).status()).isEqualTo(403);
        var members = rest.get("/rooms/" + room + "/members", ADMIN).json().get("members");
        assertThat(members).extracting(m -> m.get("user_id").asText()).containsExactlyInAnyOrder("pa", "pb");
        assertThat(rest.post("/rooms/" + room + "/handoff", ADMIN, Map.of("state", "human")).status())
                .as("no agent to add: the state alone may change").isEqualTo(200);
    }

    @Test
    void oneAnAdminRemovedFromADmWithTheBotIsNotBroughtBackByAHandoff() {
        var dm = rest.post("/rooms", Tokens.user("kept"), Map.of("type", "dm", "members", List.of("kept", botId)));
        assertThat(dm.status()).as(dm.body()).isEqualTo(200);
        String room = dm.json().get("room_id").asText();
        assertThat(rest.delete("/rooms/" + room + "/members/kept", ADMIN).status()).isEqualTo(204);

        var named = rest.post("/rooms/" + room + "/handoff", Tokens.agent("ag_other"),
                Map.of("state", "human", "agent_id", "kept"));
        var themselves = rest.post("/rooms/" + room + "/handoff", Tokens.agent("kept"), Map.of("state", "human"));

        assertThat(named.status()).as(named.body()).isEqualTo(403);
        assertThat(themselves.status()).as(themselves.body()).isEqualTo(403);
        assertThat(rest.get("/rooms/" + room + "/messages", Tokens.user("kept")).status()).isEqualTo(403);
        assertThat(rest.get("/rooms/" + room + "/members", ADMIN).json().get("members").findValuesAsText("user_id"))
                .containsExactly(botId);
    }

    @Test
    void theReservedSystemIdTheRoomsBotAndWhiteSpaceAreNoAgents() {
        String room = botRoom("visitor");
        for (String agentId : List.of("system", botId, " ", "\u00a0", "\u3000\t")) {
            for (String token : List.of(ADMIN, Tokens.agent("ag_ws"))) {
                var refused = rest.post("/rooms/" + room + "/handoff", token,
                        Map.of("state", "human", "agent_id", agentId));
                assertThat(refused.status()).as(agentId).isEqualTo(400);
                assertThat(refused.error()).isEqualTo("invalid_request");
            }
        }
        assertThat(rest.get("/rooms/" + room, ADMIN).json().get("handoff").get("state").asText()).isEqualTo("bot");
        assertThat(markers(room)).isEmpty();
        var members = rest.get("/rooms/" + room + "/members", ADMIN).json().get("members");
        assertThat(members).extracting(m -> m.get("user_id").asText()).containsExactlyInAnyOrder("visitor", botId);
    }
}
