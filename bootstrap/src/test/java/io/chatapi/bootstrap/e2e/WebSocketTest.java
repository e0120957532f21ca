package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.LogRecord;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The WebSocket protocol end to end: frames, events, errors, resume, presence, the connection cap. */
class WebSocketTest {
    private static TestServer server;
    private static Rest rest;
    private static final String ADMIN = Tokens.admin("backend");

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("WS_MAX_CONNECTIONS_PER_USER", "2", "MAX_MESSAGE_CHARS", "100",
                "MAX_FRAME_BYTES", "2048", "RESUME_MAX_MESSAGES", "3"));
        rest = server.rest();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String group(String... members) {
        return rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of(members))).json()
                .get("room_id").asText();
    }

    private static Map<String, Object> send(String room, String content, String clientMsgId) {
        return clientMsgId == null ? Map.of("room_id", room, "content", content)
                : Map.of("room_id", room, "content", content, "client_msg_id", clientMsgId);
    }

    @Test
    void aMessageReachesEveryConnectionOfEveryMemberAndTheSenderGetsMessageSent() {
        String room = group("w1", "w2");
        try (var a = server.ws(Tokens.user("w1")); var b1 = server.ws(Tokens.user("w2"));
             var b2 = server.ws(Tokens.user("w2")); var outsider = server.ws(Tokens.user("w3"))) {
            a.send("send_message", send(room, "hello", "cid-1"));
            JsonNode sent = a.await("message.sent");
            assertThat(sent.get("client_msg_id").asText()).isEqualTo("cid-1");
            assertThat(sent.get("room_id").asText()).isEqualTo(room);
            assertThat(sent.get("seq").asLong()).isEqualTo(1);
            for (var client : List.of(a, b1, b2)) {
                JsonNode message = client.find("message");
                assertThat(message.get("room_id").asText()).isEqualTo(room);
                assertThat(message.get("content").asText()).isEqualTo("hello");
                assertThat(message.get("sender_id").asText()).isEqualTo("w1");
                assertThat(message.get("message_id").asText()).isEqualTo(sent.get("message_id").asText());
                assertThat(message.get("created_at").asText()).endsWith("Z");
            }
            assertThat(outsider.drain(Duration.ofMillis(300))).noneMatch(e -> e.path("type").asText().equals("message"));
        }
    }

    @Test
    void aResumeRefusingARoomIdLongerThanAnyRoomsDoesNotEchoIt() {
        try (var c = server.ws(Tokens.user("e1"))) {
            c.send("resume", Map.of("rooms", Map.of("r".repeat(1_001), 0)));
            JsonNode error = c.await("error").get("data");
            assertThat(error.get("code").asText()).isEqualTo("not_found");
            assertThat(error.has("room_id")).isFalse();

            String longest = "r".repeat(1_000);
            c.send("resume", Map.of("rooms", Map.of(longest, 0)));
            assertThat(c.await("error").at("/data/room_id").asText()).isEqualTo(longest);
        }
    }

    @Test
    void repeatingAClientMessageIdReturnsTheOriginalWithoutASecondBroadcast() {
        String room = group("d1", "d2");
        try (var a = server.ws(Tokens.user("d1")); var b = server.ws(Tokens.user("d2"))) {
            a.send("send_message", send(room, "once", "dup"));
            JsonNode first = a.await("message.sent");
            a.send("send_message", send(room, "once", "dup"));
            JsonNode second = a.await("message.sent");
            assertThat(second.get("message_id").asText()).isEqualTo(first.get("message_id").asText());
            assertThat(second.get("duplicate").asBoolean()).isTrue();
            var rest = server.rest().post("/rooms/" + room + "/messages", Tokens.user("d1"),
                    Map.of("content", "once", "client_msg_id", "dup"));
            assertThat(rest.json().get("message_id").asText()).isEqualTo(first.get("message_id").asText());
            b.await("message");
            assertThat(b.drain(Duration.ofMillis(400))).noneMatch(e -> e.path("type").asText().equals("message"));
        }
    }

    @Test
    void aRetryOfADeletedMessagesClientIdDoesNotBringItBack() {
        String room = group("t1", "t2");
        try (var a = server.ws(Tokens.user("t1")); var b = server.ws(Tokens.user("t2"))) {
            a.send("send_message", send(room, "taken back", "gone-1"));
            JsonNode first = a.await("message.sent");
            b.await("message");
            String id = first.get("message_id").asText();
            assertThat(server.rest().delete("/rooms/" + room + "/messages/" + id, Tokens.user("t1")).status())
                    .isEqualTo(204);
            b.await("message.deleted");
            a.send("send_message", send(room, "taken back", "gone-1"));
            JsonNode retried = a.await("message.sent");
            assertThat(retried.get("message_id").asText()).isEqualTo(id);
            assertThat(retried.get("seq").asLong()).isEqualTo(first.get("seq").asLong());
            assertThat(retried.get("duplicate").asBoolean()).isTrue();
            var rest = server.rest().post("/rooms/" + room + "/messages", Tokens.user("t1"),
                    Map.of("content", "taken back", "client_msg_id", "gone-1"));
            assertThat(rest.json().get("message_id").asText()).isEqualTo(id);
            assertThat(rest.json().get("content").asText()).isEmpty();
            assertThat(b.drain(Duration.ofMillis(400))).noneMatch(e -> e.path("type").asText().equals("message"));
        }
        assertThat(server.rest().get("/rooms/" + room + "/messages", Tokens.user("t2")).json().get("messages"))
                .isEmpty();
    }

    @Test
    void badFramesGetErrorCodesAndTheConnectionStaysOpen() {
        String room = group("e1", "e2");
        try (var c = server.ws(Tokens.user("e1"))) {
            c.send("{not json");
            assertThat(c.await("error").get("data").get("code").asText()).isEqualTo("invalid_frame");
            c.send("[1,2]");
            assertThat(c.await("error").get("data").get("code").asText()).isEqualTo("invalid_frame");
            c.send("{\"type\":5}");
            assertThat(c.await("error").get("data").get("code").asText()).isEqualTo("invalid_frame");
            c.send("{\"type\":\"dance\"}");
            assertThat(c.await("error").get("data").get("code").asText()).isEqualTo("unknown_type");
            c.send("{\"type\":\"send_message\",\"data\":\"x\"}");
            assertThat(c.await("error").get("data").get("code").asText()).isEqualTo("invalid_request");
            c.send("send_message", Map.of("room_id", room));
            assertThat(c.await("error").get("data").get("code").asText()).isEqualTo("invalid_request");
            c.send("send_message", Map.of("room_id", room, "content", ""));
            assertThat(c.await("error").get("data").get("code").asText()).isEqualTo("invalid_request");
            c.send("send_message", send(room, "y".repeat(101), "long"));
            JsonNode tooLong = c.await("error");
            assertThat(tooLong.get("data").get("code").asText()).isEqualTo("payload_too_large");
            assertThat(tooLong.get("data").get("client_msg_id").asText()).isEqualTo("long");
            c.send("send_message", send(room, "z".repeat(3000), null));
            assertThat(c.await("error").get("data").get("code").asText()).isEqualTo("payload_too_large");
            c.send("send_message", send("room_unknown", "x", null));
            assertThat(c.await("error").get("data").get("code").asText()).isEqualTo("not_found");
            c.send("ping", null);
            assertThat(c.await("pong")).isNotNull();
            assertThat(c.isClosed()).isFalse();
        }
        assertThat(rest.get("/rooms/" + room + "/messages", ADMIN).json().get("messages")).isEmpty();
    }

    @Test
    void aNonMemberIsForbiddenEveryFrame() {
        String room = group("f1", "f2");
        try (var eve = server.ws(Tokens.user("f-eve"))) {
            eve.send("send_message", send(room, "x", "c"));
            JsonNode error = eve.await("error");
            assertThat(error.get("data").get("code").asText()).isEqualTo("forbidden");
            assertThat(error.get("data").get("client_msg_id").asText()).isEqualTo("c");
            assertThat(error.get("data").get("room_id").asText()).isEqualTo(room);
            eve.send("ack", Map.of("room_id", room, "seq", 1));
            assertForbiddenIn(eve.await("error"), room);
            eve.send("typing.start", Map.of("room_id", room));
            assertForbiddenIn(eve.await("error"), room);
            eve.send("resume", Map.of("rooms", Map.of(room, 0)));
            assertForbiddenIn(eve.await("error"), room);
            eve.send("stream.cancel", Map.of("room_id", room, "message_id", "msg_x"));
            assertForbiddenIn(eve.await("error"), room);
        }
    }

    private static void assertForbiddenIn(JsonNode error, String room) {
        assertThat(error.get("data").get("code").asText()).isEqualTo("forbidden");
        assertThat(error.get("data").get("room_id").asText()).isEqualTo(room);
    }

    @Test
    void aReservedOpcodeFailsTheConnectionWith1002AndNoHttpAnswerNorStackTrace() {
        List<LogRecord> records;
        try (LogCapture log = LogCapture.open()) {
            String token = Tokens.user("opcode");
            byte[] reserved = {(byte) 0x83, (byte) 0x80, 1, 2, 3, 4}; // FIN, opcode 3, masked, empty
            for (int i = 0; i < 3; i++) {
                byte[] answer = RawUpgrade.afterUpgrade(server.port(), "/ws?token=" + token, reserved);
                assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
                assertThat(answer).startsWith((byte) 0x88);
                assertThat((answer[2] & 0xff) << 8 | (answer[3] & 0xff)).isEqualTo(1002);
            }
            try (var c = server.ws(token)) {
                c.send("{\"type\":\"ping\"}");
                c.await("pong");
            }
            assertThat(rest.get("/health", null).status()).isEqualTo(200);
            records = log.records();
        }
        assertThat(records).noneMatch(r -> r.getThrown() != null);
        assertThat(records).noneMatch(r -> String.valueOf(r.getMessage()).contains("Internal server error"));
        assertThat(records).allMatch(r -> !String.valueOf(r.getMessage()).contains(Tokens.user("opcode")));
    }

    @Test
    void aMultiRoomResumeNamesTheRoomItRefuses() {
        String mine = group("mr1", "mr2");
        String other = group("mr3", "mr4");
        try (var c = server.ws(Tokens.user("mr1"))) {
            c.send("{\"type\":\"resume\",\"data\":{\"rooms\":{\"" + other + "\":0,\"" + mine + "\":0}}}");
            assertForbiddenIn(c.await("error"), other);
            assertThat(c.await("resume.done").get("room_id").asText()).isEqualTo(mine);
        }
    }

    @Test
    void stringsWithAnUnpairedSurrogateAreRefusedAndNothingIsStored() {
        String room = group("su1", "su2");
        String frame = "{\"type\":\"send_message\",\"data\":{\"room_id\":\"" + room + "\",%s}}";
        try (var a = server.ws(Tokens.user("su1")); var b = server.ws(Tokens.user("su2"))) {
            a.send(frame.formatted("\"content\":\"a\\ud800b\",\"client_msg_id\":\"s1\""));
            JsonNode error = a.await("error").get("data");
            assertThat(error.get("code").asText()).isEqualTo("invalid_request");
            assertThat(error.get("client_msg_id").asText()).isEqualTo("s1");
            assertThat(error.get("room_id").asText()).isEqualTo(room);
            a.send(frame.formatted("\"content\":\"ok\",\"client_msg_id\":\"sur\\udc00\""));
            error = a.await("error").get("data");
            assertThat(error.get("code").asText()).isEqualTo("invalid_request");
            assertThat(error.has("client_msg_id")).isFalse();
            a.send(frame.formatted("\"content\":\"ok\",\"meta\":{\"k\":[\"\\udfff\"]}"));
            assertThat(a.await("error").get("data").get("code").asText()).isEqualTo("invalid_request");
            a.send(frame.formatted("\"content\":\"ok\",\"meta\":{\"k\\udfff\":1}"));
            assertThat(a.await("error").get("data").get("code").asText()).as("Jackson refuses such a field name")
                    .isEqualTo("invalid_frame");
            a.send(frame.formatted("\"content\":\"ok\",\"meta\":\"\\ud83d\""));
            assertThat(a.await("error").get("data").get("code").asText()).isEqualTo("invalid_request");
            a.send("{\"type\":\"resume\",\"data\":{\"rooms\":{\"room_\\ud800\":0}}}");
            assertThat(a.await("error").get("data").get("code").asText()).isEqualTo("invalid_frame");
            a.send(frame.formatted("\"content\":\"\\ud83d\\ude00\",\"client_msg_id\":\"e\\ud83d\\ude00\""));
            assertThat(a.await("message.sent").get("client_msg_id").asText()).isEqualTo("e\ud83d\ude00");
            assertThat(b.await("message").get("content").asText()).isEqualTo("\ud83d\ude00");
            assertThat(b.drain(Duration.ofMillis(200))).noneMatch(e -> e.get("type").asText().equals("message"));
        }
        var stored = rest.get("/rooms/" + room + "/messages", Tokens.user("su1")).json().get("messages");
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).get("content").asText()).isEqualTo("\ud83d\ude00");
    }

    @Test
    void repeatedTypingAndAcksAreNotRelayedAgain() {
        String room = group("f1", "f2");
        try (var a = server.ws(Tokens.user("f1")); var b = server.ws(Tokens.user("f2"))) {
            a.send("send_message", send(room, "one", null));
            a.send("send_message", send(room, "two", null));
            b.await("message");
            b.await("message");
            long start = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                a.send("typing.start", Map.of("room_id", room));
            }
            a.send("typing.stop", Map.of("room_id", room));
            for (int i = 0; i < 100; i++) {
                a.send(i % 2 == 0 ? "typing.start" : "typing.stop", Map.of("room_id", room));
            }
            for (int i = 0; i < 100; i++) {
                a.send("ack", Map.of("room_id", room, "seq", 1));
            }
            a.send("ack", Map.of("room_id", room, "seq", 2));
            a.send("ack", Map.of("room_id", room, "seq", 1));
            a.send("ping", null);
            a.await("pong");
            // every frame was handled by the pong: the budget refilled for at most this long
            int refilled = (int) Math.ceil(2 * (System.nanoTime() - start) / 1e9);
            List<JsonNode> seen = b.drain(Duration.ofMillis(500));
            List<String> typing = seen.stream().filter(e -> "typing".equals(e.path("type").asText()))
                    .map(e -> e.path("action").asText()).toList();
            assertThat(typing).as("the first start and its stop, then starts from a burst of five and two a second, "
                    + "each with its stop, and the last one sent").startsWith("start", "stop").endsWith("stop")
                    .hasSizeBetween(10, 2 * (5 + refilled));
            for (int i = 0; i < typing.size(); i++) {
                assertThat(typing.get(i)).as("alternating, at %d", i).isEqualTo(i % 2 == 0 ? "start" : "stop");
            }
            assertThat(seen.stream().filter(e -> "ack.received".equals(e.path("type").asText()))
                    .map(e -> e.path("seq").asLong())).containsExactly(1L, 2L);
        }
    }

    @Test
    void aMemberWhoLeavesAndJoinsAgainKeepsTheirReadPosition() {
        String room = group("r1", "r2");
        for (int i = 0; i < 3; i++) {
            assertThat(rest.post("/rooms/" + room + "/messages", Tokens.user("r2"), Map.of("content", "m" + i))
                    .status()).isEqualTo(200);
        }
        try (var watcher = server.ws(Tokens.user("r2"))) {
            assertThat(rest.post("/acks", Tokens.user("r1"), Map.of("room_id", room, "seq", 2)).status())
                    .isEqualTo(200);
            assertThat(watcher.await("ack.received").get("seq").asLong()).isEqualTo(2);
            assertThat(rest.delete("/rooms/" + room + "/members/r1", Tokens.user("r1")).status()).isEqualTo(204);
            assertThat(rest.post("/rooms/" + room + "/members", Tokens.user("r2"), Map.of("user_id", "r1"))
                    .status()).isEqualTo(204);

            assertThat(rest.post("/acks", Tokens.user("r1"), Map.of("room_id", room, "seq", 1)).status())
                    .isEqualTo(200);
            assertThat(rest.post("/acks", Tokens.user("r1"), Map.of("room_id", room, "seq", 3)).status())
                    .isEqualTo(200);
            JsonNode next = watcher.await("ack.received");
            assertThat(next.get("user_id").asText()).isEqualTo("r1");
            assertThat(next.get("seq").asLong()).as("the ack of 1, below the kept 2, told nobody").isEqualTo(3);
        }
    }

    @Test
    void typingAcksEditsAndDeletesAreRelayedToTheRoom() {
        String room = group("t1", "t2");
        try (var a = server.ws(Tokens.user("t1")); var b = server.ws(Tokens.user("t2"))) {
            a.send("typing.start", Map.of("room_id", room));
            JsonNode typing = b.await("typing");
            assertThat(typing.get("user_id").asText()).isEqualTo("t1");
            assertThat(typing.get("action").asText()).isEqualTo("start");
            a.send("typing.stop", Map.of("room_id", room));
            assertThat(b.await("typing").get("action").asText()).isEqualTo("stop");
            a.send("send_message", send(room, "hi", null));
            JsonNode message = b.await("message");
            b.send("ack", Map.of("room_id", room, "seq", message.get("seq").asLong()));
            JsonNode ack = a.await("ack.received");
            assertThat(ack.get("user_id").asText()).isEqualTo("t2");
            assertThat(ack.get("seq").asLong()).isEqualTo(1);
            String id = message.get("message_id").asText();
            rest.put("/rooms/" + room + "/messages/" + id, Tokens.user("t1"), Map.of("content", "hi!"));
            JsonNode edited = b.await("message.edited");
            assertThat(edited.get("content").asText()).isEqualTo("hi!");
            assertThat(edited.get("seq").asLong()).isEqualTo(1);
            assertThat(edited.get("sender_id").asText()).isEqualTo("t1");
            rest.delete("/rooms/" + room + "/messages/" + id, Tokens.user("t1"));
            JsonNode deleted = b.await("message.deleted");
            assertThat(deleted.get("message_id").asText()).isEqualTo(id);
            assertThat(deleted.get("seq").asLong()).isEqualTo(1);
        }
    }

    @Test
    void aSocketThatClosesWhileItsUserIsShownTypingStopsItThoughAnotherStaysOpen() {
        String room = group("tw1", "tw2");
        try (var b = server.ws(Tokens.user("tw2")); var stays = server.ws(Tokens.user("tw1")).ready()) {
            try (var typer = server.ws(Tokens.user("tw1"))) {
                typer.send("typing.start", Map.of("room_id", room));
                assertThat(b.await("typing").get("action").asText()).isEqualTo("start");
            }
            JsonNode stop = b.await("typing");
            assertThat(stop.get("user_id").asText()).isEqualTo("tw1");
            assertThat(stop.get("action").asText()).isEqualTo("stop");
            stays.send("ping", null);
            stays.await("pong");
        }
    }

    @Test
    void aUserWhoseLastSocketClosesWhileTypingIsShownToHaveStopped() {
        String room = group("tc1", "tc2");
        try (var b = server.ws(Tokens.user("tc2"))) {
            try (var a = server.ws(Tokens.user("tc1"))) {
                a.send("typing.start", Map.of("room_id", room));
                assertThat(b.await("typing").get("action").asText()).isEqualTo("start");
            }
            JsonNode stop = b.await("typing");
            assertThat(stop.get("user_id").asText()).isEqualTo("tc1");
            assertThat(stop.get("action").asText()).as("before the offline, 5 s later").isEqualTo("stop");
            b.await(e -> "presence.update".equals(e.path("type").asText())
                    && "offline".equals(e.path("status").asText()), "tc1 offline");
        }
    }

    @Test
    void anIncompleteResumeLeavesTheRestToTheClientsPagingNotToTheOfflineQueue() {
        String room = group("rq1", "rq2");
        for (int i = 1; i <= 6; i++) {
            rest.post("/rooms/" + room + "/messages", Tokens.user("rq2"), Map.of("content", "m" + i));
        }
        try (var c = server.ws(Tokens.user("rq1"))) {
            c.send("resume", Map.of("rooms", Map.of(room, 0)));
            JsonNode done = c.await("resume.done");
            assertThat(done.get("last_seq").asLong()).isEqualTo(3);
            assertThat(done.get("complete").asBoolean()).isFalse();
            // the re-delivery worker (every 200 ms here) writes to a connection once it is 2 s old
            List<JsonNode> later = c.drain(Duration.ofSeconds(4));
            assertThat(later).as("seq 4 to 6 come from the client's paging, not pushed a second time")
                    .noneMatch(event -> event.path("type").asText().equals("message"));
        }
        var page = rest.get("/rooms/" + room + "/messages?after_seq=3", Tokens.user("rq1")).json().get("messages");
        assertThat(page).extracting(m -> m.get("seq").asLong()).containsExactly(4L, 5L, 6L);
    }

    @Test
    void resumeReplaysMissedMessagesInOrderThenResumeDone() {
        String room = group("r1", "r2");
        for (int i = 1; i <= 5; i++) {
            rest.post("/rooms/" + room + "/messages", Tokens.user("r2"), Map.of("content", "m" + i));
        }
        try (var c = server.ws(Tokens.user("r1"))) {
            c.send("resume", Map.of("rooms", Map.of(room, 1)));
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                JsonNode replayed = c.await("message");
                assertThat(replayed.get("replay").asBoolean()).isTrue();
                seqs.add(replayed.get("seq").asLong());
            }
            assertThat(seqs).containsExactly(2L, 3L, 4L);
            JsonNode done = c.await("resume.done");
            assertThat(done.get("room_id").asText()).isEqualTo(room);
            assertThat(done.get("last_seq").asLong()).isEqualTo(4);
            assertThat(done.get("complete").asBoolean()).isFalse();
            c.send("resume", Map.of("rooms", Map.of(room, 4)));
            assertThat(c.await("message").get("seq").asLong()).isEqualTo(5);
            JsonNode second = c.await("resume.done");
            assertThat(second.get("last_seq").asLong()).isEqualTo(5);
            assertThat(second.get("complete").asBoolean()).isTrue();
            c.send("resume", Map.of("rooms", Map.of(room, 5)));
            JsonNode nothing = c.await("resume.done");
            assertThat(nothing.get("last_seq").asLong()).isEqualTo(5);
            c.send("resume", Map.of("rooms", Map.of("room_nope", 0)));
            assertThat(c.await("error").get("data").get("code").asText()).isEqualTo("not_found");
        }
    }

    /**
     * Live messages sent while a resume is handled come after its {@code resume.done}, in seq order, none twice.
     * Those that reached the socket before the server read the resume come before the replay (they were not
     * "during" it); the replay here is capped at 3 messages, so it never carries them again.
     */
    @Test
    void liveMessagesDuringAResumeComeAfterItInSeqOrderWithoutDuplicates() throws Exception {
        String room = group("lr1", "lr2");
        for (int i = 1; i <= 3; i++) {
            rest.post("/rooms/" + room + "/messages", Tokens.user("lr2"), Map.of("content", "old" + i));
        }
        try (var c = server.ws(Tokens.user("lr1"))) {
            Thread sender = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 20; i++) {
                    rest.post("/rooms/" + room + "/messages", Tokens.user("lr2"), Map.of("content", "live" + i));
                }
            });
            c.send("resume", Map.of("rooms", Map.of(room, 0)));
            sender.join();
            c.await("resume.done");
            List<JsonNode> events = new ArrayList<>(c.seen());
            while (events.stream().filter(e -> e.path("type").asText().equals("message")).count() < 23) {
                events.add(c.await("message"));
            }
            List<Long> replayed = new ArrayList<>();
            List<Long> live = new ArrayList<>();
            boolean replaying = false;
            boolean done = false;
            for (JsonNode e : events) {
                String type = e.path("type").asText();
                if (type.equals("resume.done")) {
                    assertThat(e.get("last_seq").asLong()).isEqualTo(3);
                    done = true;
                } else if (type.equals("message") && e.path("replay").asBoolean()) {
                    assertThat(done).as("a replayed message after resume.done").isFalse();
                    replaying = true;
                    replayed.add(e.get("seq").asLong());
                } else if (type.equals("message")) {
                    assertThat(replaying && !done).as("a live message between the replay and resume.done, "
                            + "after %s", replayed).isFalse();
                    live.add(e.get("seq").asLong());
                }
            }
            assertThat(replayed).containsExactly(1L, 2L, 3L);
            assertThat(live).as("live seqs").isEqualTo(LongStream.rangeClosed(4, 23).boxed().toList());
        }
    }

    @Test
    void concurrentFirstMessagesOfNewRoomsArriveInSeqOrder() throws Exception {
        int rooms = 25;
        int perRoom = 8;
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            ids.add(group("co0", "co1", "co2", "co3", "co4"));
        }
        try (var listener = server.ws(Tokens.user("co0")).ready();
             ExecutorService pool = Executors.newFixedThreadPool(perRoom)) {
            for (String room : ids) {
                List<Future<Integer>> posts = new ArrayList<>();
                for (int i = 0; i < perRoom; i++) {
                    String sender = Tokens.user("co" + (1 + i % 4));
                    posts.add(pool.submit(() -> rest.post("/rooms/" + room + "/messages", sender,
                            Map.of("content", "m")).status()));
                }
                for (Future<Integer> status : posts) {
                    assertThat(status.get()).isEqualTo(200);
                }
            }
            Map<String, List<Long>> arrived = new HashMap<>();
            for (int n = 0; n < rooms * perRoom; n++) {
                JsonNode message = listener.await("message");
                arrived.computeIfAbsent(message.get("room_id").asText(), k -> new ArrayList<>())
                        .add(message.get("seq").asLong());
            }
            List<Long> expected = LongStream.rangeClosed(1, perRoom).boxed().toList();
            for (String room : ids) {
                assertThat(arrived.get(room)).as("seqs of %s in arrival order", room).isEqualTo(expected);
            }
        }
    }

    @Test
    void presenceGoesOnlyToPeersWhoShareARoom() {
        group("p1", "p2");
        try (var peer = server.ws(Tokens.user("p2")); var stranger = server.ws(Tokens.user("p-stranger"))) {
            var p1 = server.ws(Tokens.user("p1"));
            JsonNode online = peer.await(e -> e.path("type").asText().equals("presence.update")
                    && e.path("user_id").asText().equals("p1"), "p1 online");
            assertThat(online.get("status").asText()).isEqualTo("online");
            assertThat(online.get("timestamp").isIntegralNumber()).isTrue();
            p1.close();
            JsonNode offline = peer.await(e -> e.path("type").asText().equals("presence.update")
                    && e.path("user_id").asText().equals("p1") && e.path("status").asText().equals("offline"),
                    "p1 offline");
            assertThat(offline).isNotNull();
            assertThat(stranger.drain(Duration.ofMillis(200)))
                    .noneMatch(e -> e.path("user_id").asText().equals("p1"));
        }
    }

    @Test
    void theConnectionOverTheCapIsClosedWith1008AndTheOthersStay() {
        String room = group("cap", "cap2");
        try (var one = server.ws(Tokens.user("cap")); var two = server.ws(Tokens.user("cap"));
             var three = server.ws(Tokens.user("cap"))) {
            assertThat(three.awaitClose()).isEqualTo(1008);
            rest.post("/rooms/" + room + "/messages", Tokens.user("cap2"), Map.of("content", "still there"));
            assertThat(one.await("message").get("content").asText()).isEqualTo("still there");
            assertThat(two.await("message").get("content").asText()).isEqualTo("still there");
        }
    }

    @Test
    void handshakeRefusalsHappenBeforeTheUpgrade() {
        for (String token : List.of("", "garbage", Tokens.token("x", null, Instant.now().minusSeconds(3600)),
                Tokens.user("system"))) {
            assertThat(RawUpgrade.status(server.port(), "/ws?token=" + token, null)).as(token).isEqualTo(401);
        }
        assertThat(RawUpgrade.status(server.port(), "/ws", null)).isEqualTo(401);
        assertThat(RawUpgrade.status(server.port(), "/ws?token=" + Tokens.user("o1"), "https://evil.example"))
                .isEqualTo(403);
        assertThat(RawUpgrade.status(server.port(), "/ws?token=" + Tokens.user("o1"), null)).isEqualTo(101);
    }
}
