package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stored read positions, as GET answers them: the caller's on rooms, every member's on the member list. */
class ReadPositionsTest {
    private static final String ADMIN = Tokens.admin("backend");

    @Test
    void roomsCarryTheCallersPositionAndMembersTheirOwnAcrossARestart() throws Exception {
        try (var server = TestServer.start()) {
            Rest rest = server.rest();
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members",
                    List.of("ann", "ben", "cat"))).json().get("room_id").asText();
            for (int i = 1; i <= 3; i++) {
                rest.post("/rooms/" + room + "/messages", Tokens.user("ann"), Map.of("content", "m" + i));
            }
            assertThat(rest.post("/acks", Tokens.user("ben"), Map.of("room_id", room, "seq", 2)).status())
                    .isEqualTo(200);
            try (var cat = server.ws(Tokens.user("cat"))) {
                cat.send("{\"type\":\"ack\",\"data\":{\"room_id\":\"" + room + "\",\"seq\":3}}");
                cat.await("ack.received");
            }

            assertPositions(rest, room, Map.of("ann", 0L, "ben", 2L, "cat", 3L));
            server.restart();
            rest = server.rest();
            assertPositions(rest, room, Map.of("ann", 0L, "ben", 2L, "cat", 3L));

            assertThat(rest.delete("/rooms/" + room + "/members/ben", Tokens.user("ben")).status()).isEqualTo(204);
            assertThat(rest.post("/rooms/" + room + "/members", Tokens.user("ann"), Map.of("user_id", "ben"))
                    .status()).isEqualTo(204);
            assertThat(memberPositions(rest, room)).as("a member who came back finds their position")
                    .containsEntry("ben", 2L);
        }
    }

    @Test
    void anAdminWhoLeftARoomTheyHadReadInSeesNoPositionThere() {
        try (var server = TestServer.start()) {
            Rest rest = server.rest();
            String boss = Tokens.admin("boss");
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("ann", "boss")))
                    .json().get("room_id").asText();
            rest.post("/rooms/" + room + "/messages", Tokens.user("ann"), Map.of("content", "m1"));
            assertThat(rest.post("/acks", boss, Map.of("room_id", room, "seq", 1)).status()).isEqualTo(200);
            assertThat(rest.get("/rooms/" + room, boss).json().get("last_read_seq").asLong()).isEqualTo(1);

            assertThat(rest.delete("/rooms/" + room + "/members/boss", boss).status()).isEqualTo(204);

            var after = rest.get("/rooms/" + room, boss);
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.json().get("last_read_seq").asLong()).isZero();
        }
    }

    @Test
    void everyMemberOfALargeRoomHasItsPosition() {
        try (var server = TestServer.start(Map.of("MAX_ROOM_MEMBERS", "1200"))) {
            Rest rest = server.rest();
            List<String> members = new ArrayList<>();
            for (int i = 0; i < 1_100; i++) {
                members.add("u" + i);
            }
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", members)).json()
                    .get("room_id").asText();
            for (int i = 1; i <= 3; i++) {
                rest.post("/rooms/" + room + "/messages", Tokens.user("u0"), Map.of("content", "m" + i));
            }
            Map<String, Long> expected = new HashMap<>();
            members.forEach(m -> expected.put(m, 0L));
            for (String user : List.of("u1", "u499", "u500", "u501", "u999", "u1000", "u1099")) {
                long seq = 1 + Math.abs(user.hashCode()) % 3;
                assertThat(rest.post("/acks", Tokens.user(user), Map.of("room_id", room, "seq", seq)).status())
                        .isEqualTo(200);
                expected.put(user, seq);
            }
            assertThat(memberPositions(rest, room)).isEqualTo(expected);
        }
    }

    private static void assertPositions(Rest rest, String room, Map<String, Long> expected) {
        assertThat(memberPositions(rest, room)).isEqualTo(expected);
        for (var entry : expected.entrySet()) {
            String token = Tokens.user(entry.getKey());
            var one = rest.get("/rooms/" + room, token);
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.json().get("last_read_seq").asLong()).as(entry.getKey()).isEqualTo(entry.getValue());
            assertThat(one.json().get("last_seq").asLong()).isEqualTo(3);
            JsonNode listed = rest.get("/rooms", token).json().get("rooms").get(0);
            assertThat(listed.get("room_id").asText()).isEqualTo(room);
            assertThat(listed.get("last_read_seq").asLong()).as(entry.getKey()).isEqualTo(entry.getValue());
        }
        assertThat(rest.get("/rooms/" + room, ADMIN).json().get("last_read_seq").asLong())
                .as("an admin who is no member").isZero();
    }

    private static Map<String, Long> memberPositions(Rest rest, String room) {
        var answer = rest.get("/rooms/" + room + "/members", ADMIN);
        assertThat(answer.status()).isEqualTo(200);
        Map<String, Long> positions = new HashMap<>();
        for (JsonNode member : answer.json().get("members")) {
            assertThat(member.get("last_read_seq").isIntegralNumber()).isTrue();
            positions.put(member.get("user_id").asText(), member.get("last_read_seq").asLong());
        }
        return positions;
    }
}
