package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.domain.RoomType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Frames from a connection the server is closing, or that never finished opening, are not acted on. */
class ClosingConnectionTest {
    private static TestServer server;
    private static Http http;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = TestServer.start(s -> s.maxConnectionsPerUser(2));
        http = new Http(server.port());
        server.chat.room("room_cap", RoomType.GROUP, "cap", "cap_peer");
        server.chat.room("room_exp", RoomType.GROUP, "exp", "exp_peer");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::close);
    }

    private WsClient connect(String user) {
        WsClient client = WsClient.connect(server.port(), Tokens.user(user));
        clients.add(client);
        client.assertAlive();
        return client;
    }

    @Test
    void theConnectionOverTheCapIsNotActedOnBeforeOrAfterItsClose() throws IOException {
        WsClient peer = connect("cap_peer");
        connect("cap");
        connect("cap");
        try (RawWsClient third = RawWsClient.connect(server.port(), Tokens.user("cap"), 0)) {
            third.sendText(send("room_cap", "over the cap"));
            third.sendText(typing("room_cap"));
            RawWsClient.Frame close = third.readFrame();
            assertThat(close.opcode()).isEqualTo(8);
            assertThat(close.closeCode()).isEqualTo(1008);
            keepSending(third, "room_cap"); // without answering the close
        }
        assertNothingHappened("room_cap", "cap_peer", peer);
    }

    @Test
    void afterAuthExpiredTheConnectionIsNotActedOn() throws IOException {
        WsClient peer = connect("exp_peer");
        try (RawWsClient raw = RawWsClient.connect(server.port(), Tokens.expiringIn("exp", Duration.ofSeconds(2)), 0)) {
            raw.sendText("{\"type\":\"ping\"}");
            next(raw, "pong");
            next(raw, "auth.expired");
            assertThat(raw.readUntilClose()).isEqualTo(4001);
            keepSending(raw, "room_exp"); // without answering the close
        }
        assertNothingHappened("room_exp", "exp_peer", peer);
    }

    private static JsonNode next(RawWsClient client, String type) throws IOException {
        for (JsonNode event = client.nextEvent(); ; event = client.nextEvent()) {
            if (type.equals(event.path("type").asText())) {
                return event;
            }
        }
    }

    private static void keepSending(RawWsClient client, String roomId) throws IOException {
        for (int i = 0; i < 3; i++) {
            client.sendText(send(roomId, "after the close " + i));
            client.sendText(typing(roomId));
        }
        client.sendText("{\"type\":\"ping\"}");
        assertThat(client.frameWithin(1000)).as("no answer after the close").isNull();
    }

    /** Nothing stored in the room, for a while, and the peer saw no message or typing event. */
    private static void assertNothingHappened(String roomId, String peerId, WsClient peer) {
        await("nothing stored in " + roomId).during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> history(roomId, peerId).isEmpty());
        assertThat(peer.frames).extracting(f -> f.path("type").asText()).doesNotContain("message", "typing");
    }

    private static JsonNode history(String roomId, String userId) {
        return Http.json(http.get("/rooms/" + roomId + "/messages", Tokens.user(userId))).get("messages");
    }

    private static String send(String roomId, String content) {
        return "{\"type\":\"send_message\",\"data\":{\"room_id\":\"" + roomId + "\",\"content\":\"" + content
                + "\",\"client_msg_id\":\"c-" + content.hashCode() + "\"}}";
    }

    private static String typing(String roomId) {
        return "{\"type\":\"typing.start\",\"data\":{\"room_id\":\"" + roomId + "\"}}";
    }
}
