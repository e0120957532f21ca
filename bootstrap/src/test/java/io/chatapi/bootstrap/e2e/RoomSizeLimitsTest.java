package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A room's name (1,000 UTF-16 code units) and metadata (65,536) are bounded on create and on rename. */
class RoomSizeLimitsTest {
    private static final String ALICE = Tokens.user("alice");

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
}
