package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.application.ChatSettings;
import io.chatapi.application.port.in.StreamsUseCase.ActiveStream;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.RoomType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SocketProtocolTest {
    private static TestServer server;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = TestServer.start(s -> s.maxFrameBytes(1024).maxConnectionsPerUser(2));
        server.chat.room("room_a", RoomType.GROUP, "alice", "bob");
        server.chat.room("room_s", RoomType.GROUP, "sam", "bot_1");
        server.chat.room("room_h", RoomType.GROUP, "hana");
        for (int i = 0; i < 5; i++) {
            server.chat.stored("room_h", "zed", "old " + (i + 1));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::close);
        server.chat.onActive = () -> { };
        server.chat.onResume = () -> { };
        server.chat.activeStreams = List.of();
        server.chat.rateLimitedFor = null;
        server.chat.sendFailure = null;
    }

    /** Connects and waits until the server has registered the socket (its first answer comes after that). */
    private WsClient connect(String user) {
        WsClient client = connectOnly(user);
        client.assertAlive();
        return client;
    }

    private WsClient connectOnly(String user) {
        WsClient client = WsClient.connect(server.port(), Tokens.user(user));
        clients.add(client);
        return client;
    }

    @Test
    void badFramesGetErrorFramesAndTheConnectionStaysOpen() {
        WsClient c = connect("alice");
        String[][] cases = {
                {"not json", "invalid_frame"},
                {"[1,2]", "invalid_frame"},
                {"{\"type\":5}", "invalid_frame"},
                {"{\"data\":{}}", "invalid_frame"},
                {"{\"type\":\"nope\"}", "unknown_type"},
                {"{\"type\":\"send_message\",\"data\":\"x\"}", "invalid_request"},
                {"{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\"}}", "invalid_request"},
                {"{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\",\"content\":7}}", "invalid_request"},
                {"{\"type\":\"ack\",\"data\":{\"room_id\":\"room_a\",\"seq\":-1}}", "invalid_request"},
                {"{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_s\",\"content\":\"hi\"}}", "forbidden"},
                {"{\"type\":\"send_message\",\"data\":{\"room_id\":\"nowhere\",\"content\":\"hi\"}}", "not_found"},
        };
        for (String[] bad : cases) {
            c.send(bad[0]);
            JsonNode error = c.next("error");
            assertThat(error.at("/data/code").asText()).as(bad[0]).isEqualTo(bad[1]);
            assertThat(error.at("/data/message").asText()).isNotEmpty();
        }
        c.assertAlive();
        assertThat(c.closeCode).isNotDone();
    }

    @Test
    void aFrameThatIsNotValidJsonSaysSoAndEchoesTheIdsItsTextShows() {
        WsClient c = connect("alice");
        String head = "{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\",\"client_msg_id\":\"c-1\",";
        String[] cases = {
                head + "\"content\":\"a\",\"content\":\"b\"}}",
                head + "\"content\":\"a\tb\"}}",
                head + "\"content\":\"a\u0000b\"}}",
                head + "\"content\":\"a\"}} trailing",
                head + "\"content\":\"a\"}}{\"type\":\"ping\"}",
        };
        for (String bad : cases) {
            c.send(bad);
            JsonNode error = c.next("error").get("data");
            assertThat(error.get("code").asText()).as(bad).isEqualTo("invalid_frame");
            assertThat(error.get("message").asText()).as(bad).isEqualTo("frame is not valid JSON");
            assertThat(error.path("client_msg_id").asText()).as(bad).isEqualTo("c-1");
            assertThat(error.path("room_id").asText()).as(bad).isEqualTo("room_a");
        }
        c.send("hello");
        JsonNode error = c.next("error").get("data");
        assertThat(error.get("message").asText()).isEqualTo("frame is not valid JSON");
        assertThat(error.has("client_msg_id")).isFalse();
        c.send("[1,2]");
        assertThat(c.next("error").at("/data/message").asText()).isEqualTo("frame must be a JSON object");
        c.assertAlive();
    }

    @Test
    void aSendOverTheLimitIsRefusedWithItsClientMsgIdWhereverTheIdStands() {
        WsClient c = connect("alice");
        String big = "x".repeat(2_000);
        c.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\",\"content\":\"" + big
                + "\",\"client_msg_id\":\"after-1\"}}");
        JsonNode single = c.next("error");
        assertThat(single.at("/data/code").asText()).isEqualTo("payload_too_large");
        assertThat(single.at("/data/client_msg_id").asText()).isEqualTo("after-1");

        c.sendPart("{\"type\":\"send_message\",\"data\":{\"client_msg_id\":\"first-2\",\"content\":\"", false);
        c.sendPart(big, false);
        c.sendPart("\"}}", true);
        assertThat(c.next("error").at("/data/client_msg_id").asText()).isEqualTo("first-2");

        c.sendPart("{\"type\":\"send_message\",\"data\":{\"content\":\"" + big, false);
        c.sendPart("\",\"client_msg_id\":\"dropped-3\"}}", true);
        assertThat(c.next("error").at("/data").has("client_msg_id"))
                .as("the frames past the limit are not kept").isFalse();
        c.assertAlive();
    }

    @Test
    void aMessageOverTheLimitSentInFragmentsIsRefusedAndTheConnectionStaysOpen() {
        WsClient c = connect("alice");
        String part = "x".repeat(600);
        c.sendPart("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\",\"content\":\"" + part, false);
        c.sendPart(part, false);
        c.sendPart(part + "\"}}", true);
        assertThat(c.next("error").at("/data/code").asText()).isEqualTo("payload_too_large");
        c.sendPart("{\"type\":", false);
        c.sendPart("\"ping\"}", true);
        c.next("pong");
    }

    @Test
    void pingsAreAnsweredAsDataFramesAndAsControlFrames() throws Exception {
        WsClient c = connect("alice");
        c.assertAlive();
        c.sendPing("hello");
        assertThat(c.pongs.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
    }

    @Test
    void sendMessageReachesEveryMemberAndIsAcknowledgedToTheSender() {
        WsClient alice = connect("alice");
        WsClient bob = connect("bob");
        String frame = "{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\",\"content\":\"hi bob\","
                + "\"meta\":{\"k\":1},\"client_msg_id\":\"c-1\"}}";
        alice.send(frame);

        JsonNode received = bob.next("message");
        assertThat(received.get("room_id").asText()).isEqualTo("room_a");
        assertThat(received.get("sender_id").asText()).isEqualTo("alice");
        assertThat(received.get("content").asText()).isEqualTo("hi bob");
        assertThat(received.get("meta").asText()).isEqualTo("{\"k\":1}");
        assertThat(received.get("client_msg_id").asText()).isEqualTo("c-1");
        assertThat(received.get("created_at").asText()).endsWith("Z");
        assertThat(received.has("replay")).isFalse();
        assertThat(alice.next("message").get("seq").asLong()).isEqualTo(received.get("seq").asLong());
        JsonNode sent = alice.next("message.sent");
        assertThat(sent.get("client_msg_id").asText()).isEqualTo("c-1");
        assertThat(sent.get("message_id").asText()).isEqualTo(received.get("message_id").asText());
        assertThat(sent.get("seq").asLong()).isEqualTo(received.get("seq").asLong());
        assertThat(sent.has("duplicate")).isFalse();

        alice.send(frame);
        JsonNode again = alice.next("message.sent");
        assertThat(again.get("duplicate").asBoolean()).isTrue();
        assertThat(again.get("message_id").asText()).isEqualTo(received.get("message_id").asText());

        server.chat.rateLimitedFor = Duration.ofMillis(300);
        alice.send(frame.replace("c-1", "c-2"));
        JsonNode error = alice.next("error");
        assertThat(error.at("/data/code").asText()).isEqualTo("rate_limited");
        assertThat(error.at("/data/client_msg_id").asText()).isEqualTo("c-2");
    }

    @Test
    void anErrorEchoesNoIdLongerThanAValidOne() {
        WsClient alice = connect("alice");
        server.chat.sendFailure = () -> ChatException.invalid("client_msg_id is too long");
        String longId = "c".repeat(ChatSettings.MAX_CLIENT_MSG_ID_CHARS + 1);
        alice.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\",\"content\":\"hi\","
                + "\"client_msg_id\":\"" + longId + "\"}}");
        JsonNode error = alice.next("error").get("data");
        assertThat(error.get("code").asText()).isEqualTo("invalid_request");
        assertThat(error.has("client_msg_id")).isFalse();

        String id = "c".repeat(ChatSettings.MAX_CLIENT_MSG_ID_CHARS);
        alice.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\",\"content\":\"hi\","
                + "\"client_msg_id\":\"" + id + "\"}}");
        error = alice.next("error").get("data");
        assertThat(error.get("client_msg_id").asText()).as("the longest valid id is echoed").isEqualTo(id);
        assertThat(error.get("room_id").asText()).isEqualTo("room_a");
    }

    @Test
    void ackTypingAndCancelReachTheirUseCases() {
        WsClient alice = connect("alice");
        WsClient bob = connect("bob");
        alice.send("{\"type\":\"typing.start\",\"data\":{\"room_id\":\"room_a\"}}");
        JsonNode typing = bob.next("typing");
        assertThat(typing.get("user_id").asText()).isEqualTo("alice");
        assertThat(typing.get("action").asText()).isEqualTo("start");
        alice.send("{\"type\":\"ack\",\"data\":{\"room_id\":\"room_a\",\"seq\":3}}");
        JsonNode ack = bob.next("ack.received");
        assertThat(ack.get("seq").asLong()).isEqualTo(3);
        assertThat(ack.get("user_id").asText()).isEqualTo("alice");
        alice.send("{\"type\":\"stream.cancel\",\"data\":{\"room_id\":\"room_a\",\"message_id\":\"msg_x\"}}");
        alice.assertAlive();
        assertThat(server.chat.calls).contains("cancel room_a msg_x");
    }

    @Test
    void theConnectionOverTheCapIsClosedWith1008AndTheOthersAreUntouched() {
        WsClient first = connect("carol");
        WsClient second = connect("carol");
        WsClient third = connectOnly("carol");
        assertThat(third.awaitClose()).isEqualTo(1008);
        assertThat(third.closeReason).isEqualTo("connection limit reached");
        first.assertAlive();
        second.assertAlive();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.chat.presenceLog.contains("online carol"));
        assertThat(server.chat.presenceLog.stream().filter(e -> e.equals("online carol"))).hasSize(1);
    }

    @Test
    void presenceAndTheConnectionCountFollowOpenSockets() {
        long before = settledConnectionCount();
        WsClient one = connect("dave");
        WsClient two = connect("dave");
        one.assertAlive();
        two.assertAlive();
        assertThat(server.metrics.activeConnections.get()).isEqualTo(before + 2);
        assertThat(server.registry.isOnline("dave")).isTrue();
        one.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.metrics.activeConnections.get() == before + 1);
        assertThat(server.chat.presenceLog).doesNotContain("offline dave");
        two.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !server.registry.isOnline("dave"));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.chat.presenceLog.contains("offline dave"));
        assertThat(server.chat.presenceLog).containsSubsequence("online dave", "offline dave");
        assertThat(server.metrics.activeConnections.get()).isEqualTo(before);
    }

    /** The connection count once the sockets of earlier tests have finished closing on the server's side. */
    private long settledConnectionCount() {
        long[] last = {-1};
        await().pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10)).until(() -> {
            long now = server.metrics.activeConnections.get();
            boolean unchanged = now == last[0];
            last[0] = now;
            return unchanged;
        });
        return last[0];
    }

    @Test
    void settledDeliveryReachesOnlyConnectionsOpenLongEnough() {
        WsClient erin = connect("erin");
        ChatEvent event = new ChatEvent.Typing("room_x", "zed", false);
        assertThat(server.registry.publishToSettled("erin", event, Duration.ofHours(1), true)).isZero();
        assertThat(server.registry.publishToSettled("nobody", event, Duration.ZERO, true)).isZero();
        assertThat(server.registry.publishToSettled("erin", event, Duration.ZERO, true)).isEqualTo(1);
        JsonNode typing = erin.next("typing");
        assertThat(typing.get("room_id").asText()).isEqualTo("room_x");
        assertThat(typing.get("action").asText()).isEqualTo("stop");
    }

    @Test
    void aNewConnectionGetsTheReplySoFarBeforeAnyLiveDeltaOfIt() {
        server.chat.activeStreams = List.of(new ActiveStream("room_s", "msg_b", "bot_1", "Hello wor"));
        server.chat.onActive = () -> {
            server.registry.publish(List.of("sam"), new ChatEvent.StreamDelta("room_s", "msg_b", "lo wor", 3));
            server.registry.publish(List.of("sam"), new ChatEvent.StreamDelta("room_s", "msg_b", "ld", 9));
        };
        WsClient sam = connectOnly("sam");
        List<String> seen = new ArrayList<>();
        while (seen.size() < 3) {
            seen.add(streamFrame(sam.next()));
        }
        server.registry.publish(List.of("sam"), new ChatEvent.StreamDelta("room_s", "msg_b", "wor", 6));
        server.registry.publish(List.of("sam"), new ChatEvent.StreamDelta("room_s", "msg_b", "!", 11));
        server.registry.publish(List.of("sam"),
                new ChatEvent.StreamEnd("room_s", "msg_b", "bot_1", "Hello world!", 7, "stop"));
        while (!seen.getLast().startsWith("end")) {
            seen.add(streamFrame(sam.next()));
        }
        assertThat(seen).containsExactly("start msg_b", "0:Hello wor", "9:ld", "11:!", "end stop");
    }

    @Test
    void aNewConnectionLooksUpItsRoomsOnlyWhileSomeReplyStreams() {
        int before = server.chat.roomsLookups.get();
        connect("quiet");
        assertThat(server.chat.roomsLookups.get()).isEqualTo(before);

        server.chat.activeStreams = List.of(new ActiveStream("room_t", "msg_t", "bot_1", "Hi"));
        connect("busy");
        assertThat(server.chat.roomsLookups.get()).isEqualTo(before + 1);
    }

    private static String streamFrame(JsonNode f) {
        return switch (f.get("type").asText()) {
            case "message.stream.start" -> "start " + f.get("message_id").asText();
            case "message.stream.delta" -> f.get("offset").asInt() + ":" + f.get("delta").asText();
            case "message.stream.end" -> "end " + f.get("finish_reason").asText();
            default -> f.get("type").asText();
        };
    }

    @Test
    void resumeReplaysMissedMessagesThenLiveOnesWithoutDuplicates() {
        WsClient hana = connect("hana");
        hana.assertAlive();
        server.chat.onResume = () -> {
            server.registry.publish(List.of("hana"), new ChatEvent.MessageCreated(
                    server.chat.history(new io.chatapi.domain.Principal("hana", io.chatapi.domain.Role.USER),
                            "room_h", 4, 1).getFirst(), false));
            server.registry.publish(List.of("hana"), new ChatEvent.Typing("room_h", "zed", true));
        };
        hana.send("{\"type\":\"resume\",\"data\":{\"rooms\":{\"room_h\":2,\"room_a\":0,\"nowhere\":0}}}");

        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            JsonNode f = hana.next();
            seen.add(switch (f.get("type").asText()) {
                case "message" -> "message " + f.get("seq").asLong() + (f.path("replay").asBoolean() ? " replay" : "");
                case "resume.done" -> "done " + f.get("room_id").asText() + " " + f.get("last_seq").asLong() + " "
                        + f.get("complete").asBoolean();
                case "error" -> "error " + f.at("/data/code").asText();
                default -> f.get("type").asText();
            });
        }
        assertThat(seen).containsExactly("message 3 replay", "message 4 replay", "message 5 replay",
                "done room_h 5 true", "typing", "error forbidden", "error not_found");
        hana.assertAlive();
    }

    @Test
    void aMessageThatReachedTheSocketLiveBeforeItsResumeIsReplayedAsTheResumeAsks() {
        WsClient hana = connect("hana");
        hana.assertAlive();
        var principal = new io.chatapi.domain.Principal("hana", io.chatapi.domain.Role.USER);
        server.registry.publish(List.of("hana"), new ChatEvent.MessageCreated(
                server.chat.history(principal, "room_h", 3, 1).getFirst(), false));
        assertThat(hana.next("message").get("seq").asLong()).isEqualTo(4);

        hana.send("{\"type\":\"resume\",\"data\":{\"rooms\":{\"room_h\":2}}}");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonNode f = hana.next();
            seen.add(f.get("type").asText() + " " + f.path("seq").asLong(f.path("last_seq").asLong())
                    + (f.path("replay").asBoolean() ? " replay" : ""));
        }
        // every seq above the client's last_seq, so a client that holds live events aside until resume.done
        // loses nothing; one that showed seq 4 drops its replay by seq
        assertThat(seen).containsExactly("message 3 replay", "message 4 replay", "message 5 replay", "resume.done 5");
        hana.assertAlive();
    }

    @Test
    void authRefreshKeepsTheUserAndAnswersWithTheNewExpiry() {
        WsClient alice = WsClient.connect(server.port(), Tokens.expiringIn("alice", Duration.ofSeconds(3)));
        clients.add(alice);
        String fresh = Tokens.expiringIn("alice", Duration.ofHours(2));
        alice.send("{\"type\":\"auth.refresh\",\"data\":{\"token\":\"" + fresh + "\"}}");
        JsonNode refreshed = alice.next("auth.refreshed");
        assertThat(refreshed.get("exp").asLong()).isGreaterThan(System.currentTimeMillis() / 1000 + 3600);
        alice.send("{\"type\":\"auth.refresh\",\"data\":{\"token\":\"" + Tokens.user("mallory") + "\"}}");
        assertThat(alice.next("error").at("/data/code").asText()).isEqualTo("unauthorized");
        alice.send("{\"type\":\"auth.refresh\",\"data\":{\"token\":\"garbage\"}}");
        assertThat(alice.next("error").at("/data/code").asText()).isEqualTo("unauthorized");
        alice.send("{\"type\":\"auth.refresh\",\"data\":{}}");
        assertThat(alice.next("error").at("/data/code").asText()).isEqualTo("invalid_request");
        // past the first token's expiry the connection is still open
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> true);
        alice.assertAlive();
    }

    @Test
    void anExpiredTokenEndsTheConnectionWithAuthExpiredAnd4001() {
        WsClient alice = WsClient.connect(server.port(), Tokens.expiringIn("alice", Duration.ofSeconds(2)));
        clients.add(alice);
        alice.next("auth.expired");
        assertThat(alice.awaitClose()).isEqualTo(4001);
    }

    @Test
    void errorsFromTheUseCasesNeverCloseTheSocket() {
        WsClient alice = connect("alice");
        server.chat.sendFailure = () -> new IllegalStateException("boom with secret details");
        try {
            alice.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\",\"content\":\"x\"}}");
            JsonNode error = alice.next("error");
            assertThat(error.at("/data/code").asText()).isEqualTo("internal_error");
            assertThat(error.at("/data/message").asText()).isEqualTo("internal error");
            server.chat.sendFailure = () -> ChatException.invalid("content too long");
            alice.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\",\"content\":\"x\"}}");
            assertThat(alice.next("error").at("/data/message").asText()).isEqualTo("content too long");
            server.chat.sendFailure = () -> new StoreUnavailableException("database is locked", null);
            alice.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_a\",\"content\":\"x\"}}");
            JsonNode unavailable = alice.next("error").get("data");
            assertThat(unavailable.get("code").asText()).as("a code the contract lists").isEqualTo("internal_error");
            assertThat(unavailable.get("message").asText()).as("as REST words it")
                    .isEqualTo("service temporarily unavailable, retry later");
        } finally {
            server.chat.sendFailure = null;
        }
        alice.assertAlive();
    }
}
