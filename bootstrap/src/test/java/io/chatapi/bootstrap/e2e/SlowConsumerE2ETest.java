package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client that stops reading is closed by the real server while a fast client in the same room gets everything. */
class SlowConsumerE2ETest {
    private static final String ADMIN = Tokens.admin("backend");
    /** Well past the outgoing queue (1,024 frames) plus what the kernel buffers hold at this size. */

    @Test
    void aStalledClientIsClosedWhileTheFastOneReceivesEveryMessageInOrderAndStaysUsable() throws Exception {
        try (var server = TestServer.start(Map.of("SQLITE_SYNCHRONOUS", "NORMAL"))) {
            Rest rest = server.rest();
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group",
                    "members", List.of("fast", "slow", "sender"))).json().get("room_id").asText();
            try (var fast = server.ws(Tokens.user("fast"));
                 var slow = StalledSocket.connect(server.port(), Tokens.user("slow"))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> Flood.metric(rest, "active_connections") == 2);

                long sent = flood(rest, room, fast);
                assertThat(Flood.metric(rest, "slow_consumer_closes")).as("after %d sends", sent).isEqualTo(1);
                assertThat(Flood.metric(rest, "broadcast_drops")).isPositive();
                await().atMost(Duration.ofSeconds(10)).until(() -> Flood.metric(rest, "active_connections") == 1);

                for (long seq = 1; seq <= sent; seq++) {
                    JsonNode message = fast.await("message");
                    assertThat(message.get("seq").asLong()).isEqualTo(seq);
                    assertThat(message.get("content").asText()).hasSize(Flood.CONTENT.length());
                }

                int ended = slow.readUntilServerEnds(Duration.ofSeconds(15));
                assertThat(ended).as("close code, or -1 for a cut connection").isIn(1013, StalledSocket.CUT);

                fast.send("send_message", Map.of("room_id", room, "content", "still here", "client_msg_id", "after"));
                JsonNode ack = fast.await("message.sent");
                assertThat(ack.get("seq").asLong()).isEqualTo(sent + 1);
                JsonNode own = fast.seen().stream().filter(e -> e.path("type").asText().equals("message")
                        && e.path("seq").asLong() == sent + 1).findFirst()
                        .orElseGet(() -> fast.await("message"));
                assertThat(own.get("seq").asLong()).isEqualTo(sent + 1);
                assertThat(own.get("content").asText()).isEqualTo("still here");
                fast.send("ping", null);
                fast.await("pong");
                assertThat(fast.isClosed()).isFalse();
                assertThat(Flood.metric(rest, "active_connections")).isEqualTo(1);
            }
        }
    }

    /**
     * Sends batches of large messages, four at a time, until the server gives up on the stalled client. Each batch
     * waits for the fast client to have received the one before: it shares the test's cores with the senders and
     * the server, and without this pace a starved reader could itself fall a whole outgoing queue behind.
     */
    private static long flood(Rest rest, String room, WsClient fast) throws Exception {
        return Flood.untilASlowConsumerIsClosed(rest, room,
                before -> await().atMost(Duration.ofSeconds(30)).until(() -> fast.pending() >= before));
    }
}
