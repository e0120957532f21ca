package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every REST route of the protocol, with its success and error answers, against the real server. */
class RestApiTest {
    private static TestServer server;
    private static Rest rest;
    private static final String ALICE = Tokens.user("alice");
    private static final String BOB = Tokens.user("bob");
    private static final String EVE = Tokens.user("eve");
    private static final String ADMIN = Tokens.admin("backend");

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("MAX_BODY_BYTES", "4096", "ALLOWED_ORIGINS", "https://app.example"));
        rest = server.rest();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String group(String token, String... members) {
        var r = rest.post("/rooms", token, Map.of("type", "group", "members", List.of(members), "name", "g"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().get("room_id").asText();
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        var health = rest.get("/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("ok");
        assertThat(health.json().get("db_writable").asBoolean()).isTrue();
        assertThat(health.json().has("uptime")).isTrue();
        var metrics = rest.get("/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        for (String key : List.of("active_connections", "messages_sent", "broadcast_drops", "delivery_attempts",
                "delivery_failures", "uptime_seconds")) {
            assertThat(metrics.json().get(key).isIntegralNumber()).as(key).isTrue();
        }
        var prom = rest.get("/metrics/prometheus", null);
        assertThat(prom.status()).isEqualTo(200);
        assertThat(prom.body()).contains("# TYPE").contains("messages_sent");
        var promByAccept = rest.call("GET", "/metrics", null, null, Map.of("Accept", "text/plain"));
        assertThat(promByAccept.body()).contains("# TYPE");
    }

    @Test
    void aLongPathMakesNoLongLogLine() throws InterruptedException {
        String path = "/rooms/" + "a".repeat(30_000);
        List<String> lines;
        try (LogCapture log = LogCapture.open(java.util.logging.Level.INFO)) {
            assertThat(rest.get(path, null).status()).isEqualTo(401);
            assertThat(rest.get(path, ALICE).status()).isEqualTo(404);
            long deadline = System.nanoTime() + 5_000_000_000L;
            lines = List.of();
            while (lines.size() < 2 && System.nanoTime() < deadline) { // a line is written once its answer has left
                Thread.sleep(10);
                lines = log.lines().stream().filter(line -> line.startsWith("GET /rooms/aaa")).toList();
            }
        }
        assertThat(lines).hasSize(2).allSatisfy(line -> assertThat(line).hasSizeLessThan(250)
                .startsWith("GET /rooms/" + "a".repeat(193) + "... 40"));
    }

    @Test
    void missingAndInvalidTokensGet401WithTheCompatibleMessages() {
        var missing = rest.get("/rooms", null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("error").asText()).isEqualTo("unauthorized");
        assertThat(missing.json().get("message").asText()).isEqualTo("Missing or invalid Authorization header");
        var invalid = rest.get("/rooms", "not.a.token");
        assertThat(invalid.status()).isEqualTo(401);
        assertThat(invalid.json().get("message").asText()).isEqualTo("Invalid token");
        var system = rest.get("/rooms", Tokens.user("system"));
        assertThat(system.status()).isEqualTo(401);
    }

    @Test
    void roomLifecycle() {
        var created = rest.post("/rooms", ALICE, Map.of("type", "group", "members", List.of("alice", "bob"),
                "name", "Team", "metadata", "{\"k\":1}"));
        assertThat(created.status()).isEqualTo(200);
        JsonNode room = created.json();
        String id = room.get("room_id").asText();
        assertThat(room.get("type").asText()).isEqualTo("group");
        assertThat(room.get("name").asText()).isEqualTo("Team");
        assertThat(room.get("metadata").asText()).isEqualTo("{\"k\":1}");
        assertThat(room.get("last_seq").asLong()).isZero();
        assertThat(room.get("created_at").asText()).endsWith("Z");
        assertThat(room.get("handoff").get("state").asText()).isEqualTo("bot");

        assertThat(rest.get("/rooms/" + id, BOB).json().get("room_id").asText()).isEqualTo(id);
        var list = rest.get("/rooms", BOB).json().get("rooms");
        assertThat(list.findValuesAsText("room_id")).contains(id);

        var patched = rest.patch("/rooms/" + id, BOB, Map.of("name", "Renamed"));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("name").asText()).isEqualTo("Renamed");
        assertThat(patched.json().get("metadata").asText()).isEqualTo("{\"k\":1}");

        var members = rest.get("/rooms/" + id + "/members", ALICE).json().get("members");
        assertThat(members.findValuesAsText("user_id")).containsExactlyInAnyOrder("alice", "bob");
        assertThat(members.get(0).get("chatroom_id").asText()).isEqualTo(id);
        assertThat(members.get(0).get("role").asText()).isEqualTo("member");
        assertThat(members.get(0).has("joined_at")).isTrue();

        assertThat(rest.post("/rooms/" + id + "/members", BOB, Map.of("user_id", "carol")).status()).isEqualTo(204);
        var dup = rest.post("/rooms/" + id + "/members", BOB, Map.of("user_id", "carol"));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.error()).isEqualTo("conflict");
        assertThat(rest.delete("/rooms/" + id + "/members/bob", ALICE).status()).isEqualTo(403);
        assertThat(rest.delete("/rooms/" + id + "/members/carol", Tokens.user("carol")).status()).isEqualTo(204);
        assertThat(rest.get("/rooms/" + id, Tokens.user("carol")).status()).isEqualTo(403);
    }

    @Test
    void aMemberIdHoldingASemicolonIsRemovedWholeAndARoomIdWithOneIsNoRoom() {
        String id = group(ALICE, "alice", "a", "a;b");
        assertThat(rest.delete("/rooms/" + id + "/members/a;b", Tokens.user("a;b")).status()).isEqualTo(204);
        assertThat(rest.get("/rooms/" + id + "/members", ALICE).json().get("members").findValuesAsText("user_id"))
                .containsExactlyInAnyOrder("alice", "a");
        var cut = rest.get("/rooms/" + id + ";x=1", ALICE);
        assertThat(cut.status()).isEqualTo(404);
        assertThat(cut.error()).isEqualTo("not_found");
    }

    @Test
    void roomsAreListedNewestFirstAndEmptyListIsAnArray() {
        assertThat(rest.get("/rooms", Tokens.user("nobody")).json().get("rooms").isArray()).isTrue();
        assertThat(rest.get("/rooms", Tokens.user("nobody")).json().get("rooms")).isEmpty();
        String first = group(Tokens.user("lister"), "lister", "x");
        String second = group(Tokens.user("lister"), "lister", "y");
        var ids = rest.get("/rooms", Tokens.user("lister")).json().get("rooms").findValuesAsText("room_id");
        assertThat(ids).containsExactly(second, first);
    }

    @Test
    void aListLongerThanSeveralPagesHasEveryRoomOnceNewestFirstInItsOwnShape() {
        String owner = Tokens.user("many_owner");
        List<String> created = new java.util.ArrayList<>();
        for (int i = 0; i < 450; i++) {
            var r = rest.post("/rooms", owner, Map.of("type", "group", "members", List.of("many_owner", "many_member"),
                    "name", "room " + i, "metadata", Map.of("i", i, "text", "é\u2028\"".repeat(i % 50))));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            created.add(r.json().get("room_id").asText());
        }
        String member = Tokens.user("many_member");
        List<String> newestFirst = created.reversed();

        var list = rest.get("/rooms", member);

        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("rooms").findValuesAsText("room_id")).containsExactlyElementsOf(newestFirst);
        List<String> each = newestFirst.stream().map(id -> rest.get("/rooms/" + id, member).body()).toList();
        assertThat(list.body()).isEqualTo("{\"rooms\":[" + String.join(",", each) + "]}");
    }

    @Test
    void dmRoomsAreDeduplicatedWhateverTheIdsContain() {
        var one = rest.post("/rooms", Tokens.user("a:b"), Map.of("type", "dm", "members", List.of("a:b", "c")));
        var two = rest.post("/rooms", Tokens.user("c"), Map.of("type", "dm", "members", List.of("c", "a:b")));
        var other = rest.post("/rooms", Tokens.user("a"), Map.of("type", "dm", "members", List.of("a", "b:c")));
        assertThat(one.status()).isEqualTo(200);
        assertThat(two.json().get("room_id").asText()).isEqualTo(one.json().get("room_id").asText());
        assertThat(other.json().get("room_id").asText()).isNotEqualTo(one.json().get("room_id").asText());
        String dm = one.json().get("room_id").asText();
        var third = rest.post("/rooms/" + dm + "/members", ADMIN, Map.of("user_id", "z"));
        assertThat(third.status()).isEqualTo(400);
    }

    @Test
    void stringsWithAnUnpairedSurrogateAreRefusedWith400() {
        String room = group(ALICE, "alice", "bob");
        String path = "/rooms/" + room + "/messages";
        for (String body : List.of("{\"content\":\"a\\ud800b\"}",
                "{\"content\":\"ok\",\"client_msg_id\":\"sur\\udc00\"}",
                "{\"content\":\"ok\",\"meta\":\"\\udfff\"}",
                "{\"content\":\"ok\",\"meta\":{\"k\":[\"\\ud83d\"]}}",
                "{\"content\":\"ok\",\"meta\":{\"\\ude00\":1}}")) {
            var r = rest.post(path, ALICE, body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.json().get("error").asText()).isEqualTo("invalid_request");
        }
        for (String body : List.of("{\"type\":\"dm\",\"members\":[\"alice\",\"\\ud800\"]}",
                "{\"type\":\"group\",\"members\":[\"alice\"],\"name\":\"n\\ud800\"}",
                "{\"type\":\"group\",\"members\":[\"alice\"],\"metadata\":{\"k\":\"\\udc00\"}}")) {
            assertThat(rest.post("/rooms", ALICE, body).status()).as(body).isEqualTo(400);
        }
        assertThat(rest.patch("/rooms/" + room, ALICE, "{\"name\":\"\\udbff\"}").status()).isEqualTo(400);
        assertThat(rest.post("/bots", ADMIN, "{\"name\":\"b\\ud800\",\"llm_base_url\":\"https://llm.invalid/v1\","
                + "\"llm_api_key_env\":\"SUPPORT_API_KEY\",\"model\":\"m\"}").status()).isEqualTo(400);
        var ok = rest.post(path, ALICE, "{\"content\":\"\\ud83d\\ude00\",\"client_msg_id\":\"e\\ud83d\\ude00\"}");
        assertThat(ok.status()).as(ok.body()).isBetween(200, 201);
        var stored = rest.get(path, ALICE).json().get("messages");
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).get("content").asText()).isEqualTo("\ud83d\ude00");
        assertThat(rest.post("/rooms/" + room + "/messages", ALICE, "{\"content\":\"x\",\"client_msg_id\":\"e\\ud83d\\ude01\"}")
                .json().has("duplicate")).isFalse();
    }

    @Test
    void bodiesInAnotherUnicodeEncodingThanUtf8AreRefusedWith400AndStoreNothing() {
        String room = group(ALICE, "alice", "bob");
        String path = "/rooms/" + room + "/messages";
        String json = "{\"content\":\"h\u00e9\"}";
        for (var charset : List.of(StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16,
                Charset.forName("UTF-32BE"), Charset.forName("UTF-32LE"))) {
            var r = rest.post(path, ALICE, json.getBytes(charset));
            assertThat(r.status()).as(charset.name()).isEqualTo(400);
            assertThat(r.json().get("error").asText()).isEqualTo("invalid_request");
            assertThat(r.json().get("message").asText()).isEqualTo(
                    "request body is not UTF-8: JSON is exchanged in UTF-8 only");
        }
        byte[] badByte = "{\"content\":\"h?\"}".getBytes(StandardCharsets.US_ASCII);
        badByte[13] = (byte) 0xff;
        var bad = rest.post(path, ALICE, badByte);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("message").asText()).isEqualTo("request body is not valid JSON");
        assertThat(rest.get(path, ALICE).json().get("messages")).isEmpty();
        byte[] withBom = ("\ufeff" + json).getBytes(StandardCharsets.UTF_8);
        var ok = rest.post(path, ALICE, withBom);
        assertThat(ok.status()).as(ok.body()).isBetween(200, 201);
        assertThat(rest.get(path, ALICE).json().get("messages").get(0).get("content").asText()).isEqualTo("h\u00e9");
    }

    @Test
    void aDmMemberWhoLeftComesBackByCreatingTheDmAgain() {
        String erin = Tokens.user("erin");
        String dm = dm("dave", "erin");
        assertThat(rest.delete("/rooms/" + dm + "/members/erin", erin).status()).isEqualTo(204);
        assertThat(rest.get("/rooms/" + dm, erin).status()).isEqualTo(403);

        var again = rest.post("/rooms", erin, Map.of("type", "dm", "members", List.of("erin", "dave")));

        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("room_id").asText()).isEqualTo(dm);
        assertThat(rest.get("/rooms/" + dm, erin).status()).isEqualTo(200);
        assertThat(rest.get("/rooms", erin).json().get("rooms").findValuesAsText("room_id")).contains(dm);
        assertThat(rest.get("/rooms/" + dm + "/members", erin).json().get("members").findValuesAsText("user_id"))
                .containsExactlyInAnyOrder("dave", "erin");
        assertThat(rest.post("/rooms/" + dm + "/messages", erin, Map.of("content", "back")).status()).isEqualTo(200);
    }

    @Test
    void oneAnAdminRemovedFromADmStaysOutUntilAnAdminAddsThemBack() {
        String ivan = Tokens.user("ivan");
        String jade = Tokens.user("jade");
        String dm = dm("ivan", "jade");
        assertThat(rest.delete("/rooms/" + dm + "/members/jade", ADMIN).status()).isEqualTo(204);
        assertThat(rest.post("/rooms/" + dm + "/messages", ivan, Map.of("content", "after")).status()).isEqualTo(200);

        var again = rest.post("/rooms", jade, Map.of("type", "dm", "members", List.of("jade", "ivan")));
        assertThat(again.status()).as(again.body()).isEqualTo(403);
        assertThat(again.json().get("error").asText()).isEqualTo("forbidden");
        assertThat(rest.post("/rooms", ivan, Map.of("type", "dm", "members", List.of("ivan", "jade"))).status())
                .isEqualTo(200);
        assertThat(rest.post("/rooms/" + dm + "/members", ivan, Map.of("user_id", "jade")).status()).isEqualTo(403);
        assertThat(rest.get("/rooms/" + dm + "/messages", jade).status()).isEqualTo(403);
        assertThat(rest.get("/rooms/" + dm + "/members", ivan).json().get("members").findValuesAsText("user_id"))
                .containsExactly("ivan");

        assertThat(rest.post("/rooms", ADMIN, Map.of("type", "dm", "members", List.of("ivan", "jade"))).status())
                .isEqualTo(200);
        assertThat(rest.get("/rooms/" + dm + "/messages", jade).status()).isEqualTo(200);
        assertThat(rest.delete("/rooms/" + dm + "/members/jade", jade).status()).as("leaving").isEqualTo(204);
        assertThat(rest.post("/rooms", jade, Map.of("type", "dm", "members", List.of("jade", "ivan"))).status())
                .as("one who left comes back").isEqualTo(200);

        // one left, the other was removed: the removed one's refused opening brings nobody back
        assertThat(rest.delete("/rooms/" + dm + "/members/ivan", ivan).status()).isEqualTo(204);
        assertThat(rest.delete("/rooms/" + dm + "/members/jade", ADMIN).status()).isEqualTo(204);
        assertThat(rest.post("/rooms", jade, Map.of("type", "dm", "members", List.of("ivan", "jade"))).status())
                .isEqualTo(403);
        assertThat(rest.get("/rooms/" + dm + "/members", ADMIN).json().get("members")).isEmpty();
        assertThat(rest.post("/rooms", ivan, Map.of("type", "dm", "members", List.of("ivan", "jade"))).status())
                .isEqualTo(200);
        assertThat(rest.get("/rooms/" + dm + "/members", ADMIN).json().get("members").findValuesAsText("user_id"))
                .containsExactly("ivan");
    }

    @Test
    void aDmTakesBackOneOfItsPairButNobodyElse() {
        String frank = Tokens.user("frank");
        String gina = Tokens.user("gina");
        String dm = dm("frank", "gina");
        assertThat(rest.post("/rooms/" + dm + "/members", frank, Map.of("user_id", "gina")).status()).isEqualTo(409);
        assertThat(rest.delete("/rooms/" + dm + "/members/gina", gina).status()).isEqualTo(204);

        var stranger = rest.post("/rooms/" + dm + "/members", frank, Map.of("user_id", "hank"));
        assertThat(stranger.status()).isEqualTo(400);
        assertThat(stranger.json().get("error").asText()).isEqualTo("invalid_request");
        assertThat(rest.post("/rooms/" + dm + "/members", frank, Map.of("user_id", "gina")).status()).isEqualTo(204);
        assertThat(rest.get("/rooms/" + dm, gina).status()).isEqualTo(200);

        assertThat(rest.delete("/rooms/" + dm + "/members/gina", gina).status()).isEqualTo(204);
        assertThat(rest.delete("/rooms/" + dm + "/members/frank", frank).status()).isEqualTo(204);
        assertThat(rest.post("/rooms/" + dm + "/members", ADMIN, Map.of("user_id", "hank")).status()).isEqualTo(400);
        assertThat(rest.post("/rooms/" + dm + "/members", ADMIN, Map.of("user_id", "gina")).status()).isEqualTo(204);
        assertThat(rest.post("/rooms/" + dm + "/members", ADMIN, Map.of("user_id", "frank")).status()).isEqualTo(204);
        assertThat(rest.get("/rooms/" + dm + "/members", frank).json().get("members").findValuesAsText("user_id"))
                .containsExactlyInAnyOrder("frank", "gina");
    }

    /** A dm of two users, created by the first. */
    private static String dm(String creator, String other) {
        return rest.post("/rooms", Tokens.user(creator), Map.of("type", "dm", "members", List.of(creator, other)))
                .json().get("room_id").asText();
    }

    @Test
    void roomCreationIsValidated() {
        assertThat(rest.post("/rooms", ALICE, Map.of("type", "dm", "members", List.of("alice"))).status()).isEqualTo(400);
        assertThat(rest.post("/rooms", ALICE, Map.of("type", "dm", "members", List.of("alice", "alice"))).status())
                .isEqualTo(400);
        assertThat(rest.post("/rooms", ALICE, Map.of("type", "group", "members", List.of("alice"))).status())
                .isEqualTo(400);
        assertThat(rest.post("/rooms", ALICE, Map.of("type", "circle", "members", List.of("alice", "b"))).status())
                .isEqualTo(400);
        assertThat(rest.post("/rooms", ALICE, "{not json").status()).isEqualTo(400);
        assertThat(rest.post("/rooms", ALICE, Map.of("type", "group", "members", "alice")).status()).isEqualTo(400);
        var foreign = rest.post("/rooms", ALICE, Map.of("type", "group", "members", List.of("x", "y")));
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("x", "y"))).status())
                .isEqualTo(200);
    }

    @Test
    void aNonMemberGets403OnEveryRoomRouteAndUnknownRoomsGet404() {
        String id = group(ALICE, "alice", "bob");
        var msg = rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "hi")).json();
        String mid = msg.get("message_id").asText();
        List<Rest.Response> answers = List.of(
                rest.get("/rooms/" + id, EVE),
                rest.patch("/rooms/" + id, EVE, Map.of("name", "x")),
                rest.get("/rooms/" + id + "/members", EVE),
                rest.post("/rooms/" + id + "/members", EVE, Map.of("user_id", "eve")),
                rest.get("/rooms/" + id + "/messages", EVE),
                rest.post("/rooms/" + id + "/messages", EVE, Map.of("content", "x")),
                rest.put("/rooms/" + id + "/messages/" + mid, EVE, Map.of("content", "x")),
                rest.delete("/rooms/" + id + "/messages/" + mid, EVE),
                rest.post("/acks", EVE, Map.of("room_id", id, "seq", 1)));
        for (var answer : answers) {
            assertThat(answer.status()).as(answer.body()).isEqualTo(403);
            assertThat(answer.error()).isEqualTo("forbidden");
        }
        assertThat(rest.get("/rooms/room_missing", ALICE).status()).isEqualTo(404);
        assertThat(rest.get("/rooms/room_missing", ALICE).error()).isEqualTo("not_found");
        assertThat(rest.get("/rooms/room_missing/messages", ALICE).status()).isEqualTo(404);
        assertThat(rest.get("/rooms/" + id, ADMIN).status()).isEqualTo(200);
    }

    @Test
    void messagesAreSentPagedEditedAndDeleted() {
        String id = group(ALICE, "alice", "bob");
        for (int i = 1; i <= 5; i++) {
            var sent = rest.post("/rooms/" + id + "/messages", i % 2 == 0 ? BOB : ALICE,
                    Map.of("content", "m" + i, "meta", "{\"n\":" + i + "}"));
            assertThat(sent.status()).isEqualTo(200);
            assertThat(sent.json().get("seq").asLong()).isEqualTo(i);
            assertThat(sent.json().get("chatroom_id").asText()).isEqualTo(id);
        }
        var page = rest.get("/rooms/" + id + "/messages?after_seq=2&limit=2", ALICE).json().get("messages");
        assertThat(page.findValuesAsText("content")).containsExactly("m3", "m4");
        assertThat(page.get(0).get("meta").asText()).isEqualTo("{\"n\":3}");
        assertThat(rest.get("/rooms/" + id + "/messages?limit=abc", ALICE).json().get("messages")).hasSize(5);
        assertThat(rest.get("/rooms/" + id + "/messages?limit=0", ALICE).json().get("messages")).hasSize(5);
        assertThat(rest.get("/rooms/" + id + "/messages?after_seq=9", ALICE).json().get("messages")).isEmpty();
        assertThat(rest.get("/rooms/" + id + "/messages?after_seq=x", ALICE).json().get("messages")).hasSize(5);

        String first = page.get(0).get("message_id").asText();
        var notMine = rest.put("/rooms/" + id + "/messages/" + first, BOB, Map.of("content", "hack"));
        assertThat(notMine.status()).isEqualTo(403);
        var edited = rest.put("/rooms/" + id + "/messages/" + first, ALICE, Map.of("content", "m3!"));
        assertThat(edited.status()).isEqualTo(200);
        assertThat(edited.json().get("content").asText()).isEqualTo("m3!");
        assertThat(edited.json().has("edited_at")).isTrue();
        assertThat(rest.put("/rooms/" + id + "/messages/" + first, ALICE, Map.of("content", "")).status())
                .isEqualTo(400);
        assertThat(rest.delete("/rooms/" + id + "/messages/" + first, BOB).status()).isEqualTo(403);
        assertThat(rest.delete("/rooms/" + id + "/messages/" + first, ALICE).status()).isEqualTo(204);
        assertThat(rest.delete("/rooms/" + id + "/messages/" + first, ALICE).status()).isEqualTo(404);
        var next = rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "after delete"));
        assertThat(next.json().get("seq").asLong()).isEqualTo(6);
        assertThat(rest.get("/rooms/" + id, ALICE).json().get("last_seq").asLong()).isEqualTo(6);
        String bobs = rest.post("/rooms/" + id + "/messages", BOB, Map.of("content", "bob")).json()
                .get("message_id").asText();
        assertThat(rest.delete("/rooms/" + id + "/messages/" + bobs, ADMIN).status()).isEqualTo(204);
    }

    @Test
    void historyLimitIsClampedTo100() {
        String id = group(ADMIN, "alice", "bob");
        for (int i = 0; i < 105; i++) {
            rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "n" + i));
        }
        assertThat(rest.get("/rooms/" + id + "/messages?limit=500", ALICE).json().get("messages")).hasSize(100);
        assertThat(rest.get("/rooms/" + id + "/messages", ALICE).json().get("messages")).hasSize(50);
    }

    @Test
    void sendingIsValidated() {
        String id = group(ALICE, "alice", "bob");
        assertThat(rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "")).status()).isEqualTo(400);
        assertThat(rest.post("/rooms/" + id + "/messages", ALICE, Map.of("meta", "x")).status()).isEqualTo(400);
        assertThat(rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", 5)).status()).isEqualTo(400);
        var tooLong = rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "x".repeat(3000),
                "client_msg_id", "y".repeat(65)));
        assertThat(tooLong.status()).isIn(400, 413);
        var body = rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "x".repeat(5000)));
        assertThat(body.status()).isEqualTo(413);
        assertThat(body.error()).isEqualTo("payload_too_large");
        assertThat(rest.get("/rooms/" + id + "/messages", ALICE).json().get("messages")).isEmpty();
    }

    @Test
    void clientMessageIdsMakeSendsIdempotent() {
        String id = group(ALICE, "alice", "bob");
        var first = rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "once", "client_msg_id", "c-1"));
        var again = rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "once", "client_msg_id", "c-1"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("message_id").asText()).isEqualTo(first.json().get("message_id").asText());
        assertThat(again.json().get("duplicate").asBoolean()).isTrue();
        var byHeader = rest.call("POST", "/rooms/" + id + "/messages", ALICE, Map.of("content", "once"),
                Map.of("Idempotency-Key", "c-1"));
        assertThat(byHeader.json().get("message_id").asText()).isEqualTo(first.json().get("message_id").asText());
        var mismatch = rest.call("POST", "/rooms/" + id + "/messages", ALICE,
                Map.of("content", "x", "client_msg_id", "a"), Map.of("Idempotency-Key", "b"));
        assertThat(mismatch.status()).isEqualTo(400);
        var otherSender = rest.post("/rooms/" + id + "/messages", BOB, Map.of("content", "mine", "client_msg_id", "c-1"));
        assertThat(otherSender.json().get("message_id").asText()).isNotEqualTo(first.json().get("message_id").asText());
        assertThat(rest.get("/rooms/" + id + "/messages", ALICE).json().get("messages")).hasSize(2);
    }

    @Test
    void theReservedSystemIdIsNoMember() {
        var created = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("alice", "system")));
        assertThat(created.status()).isEqualTo(400);
        assertThat(created.json().get("message").asText()).contains("reserved");
        String id = group(ALICE, "alice", "bob");
        var added = rest.post("/rooms/" + id + "/members", ALICE, Map.of("user_id", "system"));
        assertThat(added.status()).isEqualTo(400);
        assertThat(rest.get("/rooms/" + id + "/members", ALICE).json().get("members")).hasSize(2);
    }

    @Test
    void aRepeatedClientMessageIdAnswersWithTheOriginalWhateverItsBodyNow() {
        String id = group(ALICE, "alice", "bob");
        var first = rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "kept", "client_msg_id", "r-1"));
        assertThat(first.status()).isEqualTo(200);
        String original = first.json().get("message_id").asText();
        for (Object content : List.of("", "x".repeat(2000))) {
            var again = rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", content, "client_msg_id", "r-1"));
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.json().get("message_id").asText()).isEqualTo(original);
            assertThat(again.json().get("duplicate").asBoolean()).isTrue();
        }
        assertThat(rest.call("DELETE", "/rooms/" + id + "/members/alice", ALICE, null, Map.of()).status())
                .isEqualTo(204);
        var afterLeaving = rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "kept", "client_msg_id", "r-1"));
        assertThat(afterLeaving.json().get("message_id").asText()).isEqualTo(original);
        assertThat(rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "", "client_msg_id", "r-2"))
                .status()).as("a first send is still refused").isIn(400, 403);
        assertThat(rest.get("/rooms/" + id + "/messages", BOB).json().get("messages")).hasSize(1);
    }

    @Test
    void acksAnswer200WithAnEmptyBody() {
        String id = group(ALICE, "alice", "bob");
        rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "hi"));
        var ack = rest.post("/acks", BOB, Map.of("room_id", id, "seq", 1));
        assertThat(ack.status()).isEqualTo(200);
        assertThat(ack.body()).isEmpty();
        assertThat(rest.post("/acks", BOB, Map.of("room_id", id)).status()).isEqualTo(400);
        assertThat(rest.post("/acks", BOB, Map.of("room_id", "room_nope", "seq", 1)).status()).isEqualTo(404);
    }

    @Test
    void anAckWrittenAsALargeFloatIsReadAsTheGoServerReadsIt() {
        String id = group(ALICE, "alice", "bob");
        rest.post("/rooms/" + id + "/messages", ALICE, Map.of("content", "hi"));
        for (String seq : List.of("1e16", "10000000000000000.0", "1e19", "100000000000000000000000")) {
            var ack = rest.post("/acks", BOB, "{\"room_id\":\"" + id + "\",\"seq\":" + seq + "}");
            assertThat(ack.status()).as(seq).isEqualTo(200);
        }
        assertThat(rest.get("/rooms/" + id, BOB).json().get("last_read_seq").asLong())
                .as("past the room's last seq: read up to it").isEqualTo(1);
        assertThat(rest.post("/acks", BOB, "{\"room_id\":\"" + id + "\",\"seq\":1e400}").status()).isEqualTo(400);
    }

    @Test
    void aBodyIsReadAsItIsWithIdentityAndRefusedWith415InAnyOtherCoding() throws Exception {
        String id = group(ALICE, "alice", "bob");
        var plain = rest.call("POST", "/rooms/" + id + "/messages", ALICE, Map.of("content", "as it is"),
                Map.of("Content-Encoding", "identity"));
        assertThat(plain.status()).as(plain.body()).isEqualTo(200);
        var zipped = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(zipped)) {
            gzip.write("{\"content\":\"zipped\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        for (String coding : List.of("gzip", "br", "deflate")) {
            var refused = rest.call("POST", "/rooms/" + id + "/messages", ALICE, zipped.toByteArray(),
                    Map.of("Content-Encoding", coding, "Content-Type", "application/json"));
            assertThat(refused.status()).as(coding).isEqualTo(415);
            assertThat(refused.error()).isEqualTo("invalid_request");
            assertThat(refused.json().get("message").asText()).contains("Content-Encoding");
        }
        var history = rest.get("/rooms/" + id + "/messages", ALICE).json().get("messages");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).get("content").asText()).isEqualTo("as it is");
    }

    @Test
    void aRequestTargetWithAFragmentIsMalformedAndNotCutShort() throws Exception {
        String id = group(ALICE, "alice", "bob");
        String answer = raw("GET /rooms/" + id + "/messages?after_seq=0#x&limit=1 HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + ALICE + "\r\n\r\n"); // raw() reads until the server closes
        assertThat(answer).startsWith("HTTP/1.1 400").contains("Connection: close")
                .endsWith("{\"error\":\"invalid_request\",\"message\":\"malformed HTTP request\"}");
        assertThat(raw("GET /health#top HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @Test
    void oversizedBodiesGet413() {
        var r = rest.post("/rooms", ALICE, "{\"type\":\"group\",\"members\":[\"alice\",\"" + "b".repeat(5000) + "\"]}");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.error()).isEqualTo("payload_too_large");
    }

    @Test
    void unknownRoutesAnswerJsonErrors() {
        var r = rest.get("/nowhere", ALICE);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.error()).isEqualTo("not_found");
    }

    @Test
    void requestsTheHttpLayerRefusesGetJsonErrorsThatDoNotQuoteThem() throws Exception {
        // an invalid percent-encoding in the path, with a token in the query
        String badPath = raw("GET /rooms/%zz?token=secret-in-query HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(badPath).startsWith("HTTP/1.1 400").contains("Content-Type: application/json")
                .endsWith("{\"error\":\"invalid_request\",\"message\":\"malformed HTTP request\"}")
                .doesNotContain("secret-in-query");
        String badHeader = raw("GET /health HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n");
        assertThat(badHeader).startsWith("HTTP/1.1 400").endsWith("\"malformed HTTP request\"}");
        String hugeHeader = raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n");
        assertThat(hugeHeader).matches("(?s)HTTP/1.1 4\\d\\d .*\\{\"error\":\"invalid_request\",\"message\":\"[a-z A-Z]+\"}");
        String longTarget = raw("GET /health?token=secret-in-query&" + "a".repeat(40_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(longTarget).startsWith("HTTP/1.1 414").doesNotContain("secret-in-query")
                .endsWith("{\"error\":\"invalid_request\",\"message\":\"request target too long\"}");
        assertThat(rest.get("/health", null).status()).isEqualTo(200);
    }

    @Test
    void aRequestAskingToCloseTheConnectionGetsItsAnswerThenTheConnectionCloses() throws Exception {
        // raw() reads until the server closes the connection, and fails after 10 s without it
        assertThat(raw("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200").contains("Connection: close").endsWith("}");
        assertThat(raw("GET /rooms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 401").endsWith("}");
    }

    @Test
    void headOnHealthAnswersTheHeadersOnlySoTheNextAnswerOnTheConnectionStaysFramed() throws Exception {
        String answers;
        try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            var in = socket.getInputStream();
            var read = new StringBuilder();
            byte[] buffer = new byte[4096];
            // both answers, up to the end of the GET's JSON body (the connection stays open: keep-alive)
            while (!read.toString().matches("(?s).*\r\n\r\n.*\r\n\r\n\\{.*}")) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                read.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            answers = read.toString();
        }
        String[] parts = answers.split("\r\n\r\n", -1);
        assertThat(parts).hasSize(3);
        assertThat(parts[0]).startsWith("HTTP/1.1 200").contains("Content-Type: application/json")
                .containsPattern("Content-Length: [1-9]\\d*");
        assertThat(parts[1]).as("no body after the HEAD answer").startsWith("HTTP/1.1 200");
        assertThat(parts[2]).startsWith("{\"status\":\"ok\"");
    }

    @Test
    void aBodyFramedBadlyIsTheClientsErrorAndStoresNothing() throws Exception {
        String id = group(ALICE, "alice", "bob");
        String head = "POST /rooms/" + id + "/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALICE
                + "\r\nContent-Type: application/json\r\n";
        List<java.util.logging.LogRecord> records;
        try (LogCapture log = LogCapture.open()) {
            String badChunkSize = raw(head + "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{\"content\":\"x\"}\r\n0\r\n\r\n");
            assertThat(badChunkSize).startsWith("HTTP/1.1 400")
                    .endsWith("{\"error\":\"invalid_request\",\"message\":\"request body could not be read: "
                            + "malformed or incomplete\"}");
            // a body cut short: the client declares more than it sends, then closes its side
            for (String framing : List.of("Content-Length: 100\r\n", "Transfer-Encoding: chunked\r\n")) {
                String body = framing.startsWith("Content") ? "{\"content\":\"cut" : "64\r\n{\"content\":\"cut";
                try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write((head + framing + "\r\n" + body)
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    socket.shutdownOutput();
                    String answer = new String(socket.getInputStream().readAllBytes(),
                            java.nio.charset.StandardCharsets.ISO_8859_1);
                    assertThat(answer).as(framing).satisfiesAnyOf(a -> assertThat(a).isEmpty(),
                            a -> assertThat(a).startsWith("HTTP/1.1 400"));
                }
            }
            assertThat(rest.get("/health", null).status()).isEqualTo(200);
            records = log.records();
        }
        assertThat(rest.get("/rooms/" + id + "/messages", ALICE).json().get("messages")).isEmpty();
        assertThat(records).as("nothing logged above FINE for a client's framing").isEmpty();
    }

    /** One request written by hand on a new connection; the whole answer, up to the server closing it. */
    private static String raw(String request) throws java.io.IOException {
        try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void corsAllowsOnlyConfiguredOrigins() {
        var preflight = rest.call("OPTIONS", "/rooms", null, null,
                Map.of("Origin", "https://app.example", "Access-Control-Request-Method", "POST"));
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
                .contains("Authorization").contains("Idempotency-Key");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("PATCH");
        var other = rest.call("GET", "/rooms", ALICE, null, Map.of("Origin", "https://evil.example"));
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(other.headers().firstValue("Vary")).as("a refused origin's answer is keyed on Origin too")
                .hasValue("Origin");
        assertThat(rest.get("/rooms", ALICE).headers().firstValue("Vary")).hasValue("Origin");
    }

    @Test
    void botsAndDeadLettersAreAdminOnly() {
        for (var refused : List.of(rest.get("/bots", ALICE), rest.post("/bots", ALICE, Map.of("name", "b")),
                rest.call("DELETE", "/bots/b1", ALICE, null, Map.of()))) {
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().get("message").asText()).isEqualTo("only admins may manage bots");
        }
        assertThat(rest.get("/admin/dead-letters", ALICE).status()).isEqualTo(403);
        var dead = rest.get("/admin/dead-letters?limit=5", ADMIN);
        assertThat(dead.status()).isEqualTo(200);
        assertThat(dead.json().get("failed_messages").isArray()).isTrue();
    }
}
