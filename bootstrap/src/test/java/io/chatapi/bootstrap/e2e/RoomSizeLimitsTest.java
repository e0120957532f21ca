package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A room's name (1,000 UTF-16 code units) and metadata (65,536) are bounded on create and on rename, a message's
 * meta (65,536) on every send; user ids (1,000) wherever they come in: a token's {@code sub}, a member, an agent;
 * and a handoff's reason (1,000).
 */
class RoomSizeLimitsTest {
    private static final String ALICE = Tokens.user("alice");

    @Test
    void aFullRoomIsStillHandedToAnAgentButOneAlreadyPastItGainsNoFurtherAgent() {
        try (var server = TestServer.start(Map.of("MAX_ROOM_MEMBERS", "2"))) {
            Rest rest = server.rest();
            String room = rest.post("/rooms", ALICE, Map.of("type", "group", "members", List.of("alice", "bob")))
                    .json().get("room_id").asText();
            String path = "/rooms/" + room + "/handoff";
            assertThat(rest.post("/rooms/" + room + "/members", ALICE, Map.of("user_id", "carol")).status())
                    .isEqualTo(409);

            var first = rest.post(path, Tokens.agent("ag1"), Map.of("state", "human"));
            assertThat(first.status()).as(first.body()).isEqualTo(200);
            var second = rest.post(path, Tokens.agent("ag2"), Map.of("state", "human", "agent_id", "ag2"));
            assertThat(second.status()).as(second.body()).isEqualTo(409);
            assertThat(second.error()).isEqualTo("conflict");
            var byAdmin = rest.post(path, Tokens.admin("backend"), Map.of("state", "human", "agent_id", "ag3"));
            assertThat(byAdmin.status()).as(byAdmin.body()).isEqualTo(409);

            assertThat(rest.get("/rooms/" + room + "/members", ALICE).json().get("members"))
                    .extracting(m -> m.get("user_id").asText()).containsExactly("alice", "bob", "ag1");
            assertThat(rest.get("/rooms/" + room, ALICE).json().get("handoff").get("agent_id").asText())
                    .isEqualTo("ag1");
            assertThat(rest.post(path, Tokens.agent("ag1"), Map.of("state", "human", "reason", "still mine"))
                    .status()).as("the agent already in changes the room as before").isEqualTo(200);
        }
    }

    @Test
    void aNameOrMetadataOverItsLimitIs413AndChangesNothing() {
        try (var server = TestServer.start()) {
            Rest rest = server.rest();
            String name = "n".repeat(1_000);
            String metadata = "{\"k\":\"" + "m".repeat(65_536 - 8) + "\"}";
            var created = rest.post("/rooms", ALICE, Map.of("type", "group", "members", List.of("alice", "bob"),
                    "name", name, "metadata", metadata));
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            String room = created.json().get("room_id").asText();

            var longName = rest.post("/rooms", ALICE, Map.of("type", "group", "members", List.of("alice", "bob"),
                    "name", name + "n"));
            assertThat(longName.status()).isEqualTo(413);
            assertThat(longName.error()).isEqualTo("payload_too_large");
            assertThat(longName.json().get("message").asText()).contains("name");
            var longMetadata = rest.patch("/rooms/" + room, ALICE, Map.of("metadata", metadata + " "));
            assertThat(longMetadata.status()).isEqualTo(413);
            assertThat(longMetadata.json().get("message").asText()).contains("metadata");
            assertThat(rest.patch("/rooms/" + room, ALICE, Map.of("name", name + "x")).status()).isEqualTo(413);

            var kept = rest.get("/rooms/" + room, ALICE).json();
            assertThat(kept.get("name").asText()).isEqualTo(name);
            assertThat(kept.get("metadata").asText()).isEqualTo(metadata);
            assertThat(rest.get("/rooms", ALICE).json().get("rooms")).hasSize(1);
        }
    }

    @Test
    void aUserIdOverItsLimitIsRefusedEverywhereAndAtItsLimitWorks() {
        try (var server = TestServer.start()) {
            Rest rest = server.rest();
            String longest = "u".repeat(1_000);
            String tooLong = longest + "u";

            assertThat(rest.get("/rooms", Tokens.user(tooLong)).status()).isEqualTo(401);
            assertThat(RawUpgrade.status(server.port(), "/ws?token=" + Tokens.user(tooLong), null)).isEqualTo(401);
            var created = rest.post("/rooms", Tokens.user(longest), Map.of("type", "group",
                    "members", List.of(longest, "bob")));
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            String room = created.json().get("room_id").asText();
            try (WsClient socket = server.ws(Tokens.user(longest))) {
                socket.send("send_message", Map.of("room_id", room, "content", "hi"));
                assertThat(socket.await("message").get("sender_id").asText()).isEqualTo(longest);
            }

            var longMember = rest.post("/rooms", ALICE, Map.of("type", "group", "members", List.of("alice", tooLong)));
            assertThat(longMember.status()).isEqualTo(413);
            assertThat(longMember.error()).isEqualTo("payload_too_large");
            assertThat(longMember.json().get("message").asText()).contains("member id");
            var longAdded = rest.post("/rooms/" + room + "/members", Tokens.user("bob"), Map.of("user_id", tooLong));
            assertThat(longAdded.status()).isEqualTo(413);
            assertThat(longAdded.json().get("message").asText()).contains("user_id");
            var longAgent = rest.post("/rooms/" + room + "/handoff", Tokens.admin("boss"),
                    Map.of("state", "human", "agent_id", tooLong));
            assertThat(longAgent.status()).isEqualTo(413);
            assertThat(longAgent.json().get("message").asText()).contains("agent_id");
            var longReason = rest.post("/rooms/" + room + "/handoff", Tokens.admin("boss"),
                    Map.of("state", "human", "agent_id", "carol", "reason", "r".repeat(1_001)));
            assertThat(longReason.status()).isEqualTo(413);
            assertThat(longReason.json().get("message").asText()).contains("reason");

            assertThat(rest.get("/rooms", ALICE).json().get("rooms")).isEmpty();
            assertThat(rest.get("/rooms/" + room + "/members", Tokens.user("bob")).json().get("members")
                    .findValuesAsText("user_id")).containsExactlyInAnyOrder(longest, "bob");
            assertThat(rest.get("/rooms/" + room, Tokens.user("bob")).json().get("handoff").get("state").asText())
                    .isEqualTo("bot");
            var atLimit = rest.post("/rooms/" + room + "/handoff", Tokens.admin("boss"),
                    Map.of("state", "human", "agent_id", "a".repeat(1_000), "reason", "r".repeat(1_000)));
            assertThat(atLimit.status()).as(atLimit.body()).isEqualTo(200);
        }
    }

    @Test
    void aMessageMetaOverItsLimitIs413OnRestAndAnErrorWithItsClientMsgIdOnTheSocket() {
        // frames large enough that the meta limit, not the frame limit, is what refuses the socket's send
        try (var server = TestServer.start(Map.of("MAX_FRAME_BYTES", "200000"))) {
            Rest rest = server.rest();
            String room = rest.post("/rooms", ALICE, Map.of("type", "group", "members", List.of("alice", "bob")))
                    .json().get("room_id").asText();
            String meta = "m".repeat(65_536);
            var atLimit = rest.post("/rooms/" + room + "/messages", ALICE, Map.of("content", "x", "meta", meta));
            assertThat(atLimit.status()).as(atLimit.body()).isEqualTo(200);

            var over = rest.post("/rooms/" + room + "/messages", ALICE, Map.of("content", "x", "meta", meta + "m"));
            assertThat(over.status()).isEqualTo(413);
            assertThat(over.error()).isEqualTo("payload_too_large");
            assertThat(over.json().get("message").asText()).contains("meta");
            try (WsClient socket = server.ws(ALICE)) {
                socket.send("send_message", Map.of("room_id", room, "content", "x", "meta", meta + "m",
                        "client_msg_id", "long-meta"));
                JsonNode error = socket.await("error").get("data");
                assertThat(error.get("code").asText()).isEqualTo("payload_too_large");
                assertThat(error.get("message").asText()).contains("meta");
                assertThat(error.get("client_msg_id").asText()).isEqualTo("long-meta");
            }
            assertThat(rest.get("/rooms/" + room + "/messages", ALICE).json().get("messages")).hasSize(1);
        }
    }
}
