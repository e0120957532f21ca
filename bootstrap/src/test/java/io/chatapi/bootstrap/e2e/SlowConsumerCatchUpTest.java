package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A client closed as a slow consumer, which reconnects without {@code resume} as clients of the Go server do, gets
 * from the offline queue every message its closed connection never wrote to the socket.
 */
class SlowConsumerCatchUpTest {
    private static final String ADMIN = Tokens.admin("backend");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aClientClosedWith1013GetsEveryMessageItMissedInSeqOrderOnceAfterReconnectingWithoutResume()
            throws Exception {
        try (var server = TestServer.start(Map.of("SQLITE_SYNCHRONOUS", "NORMAL"))) {
            Rest rest = server.rest();
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group",
                    "members", List.of("slow", "sender"))).json().get("room_id").asText();
            List<Long> read = new ArrayList<>();
            long sent;
            try (var slow = StalledSocket.connect(server.port(), Tokens.user("slow"))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> Flood.metric(rest, "active_connections") == 1);
                sent = flood(rest, room);
                int ended = slow.readUntilServerEnds(Duration.ofSeconds(15), text -> messageSeq(parse(text), read));
                assertThat(ended).isEqualTo(1013);
            }
            for (int i = 0; i < 3; i++) { // while the user has no connection: queued as the message is stored
                assertThat(rest.post("/rooms/" + room + "/messages", Tokens.user("sender"),
                        Map.of("content", "while away " + i)).status()).isEqualTo(200);
                sent++;
            }
            List<Long> missed = LongStream.rangeClosed(1, sent).boxed().filter(seq -> !read.contains(seq)).toList();
            assertThat(missed).as("the frames still queued when it was closed, and those sent since")
                    .hasSizeGreaterThan(3);

            try (var back = server.ws(Tokens.user("slow"))) {
                List<Long> redelivered = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (redelivered.size() < missed.size() && System.nanoTime() < deadline) {
                    messageSeq(back.next(Duration.ofSeconds(1)), redelivered);
                }
                back.drain(Duration.ofSeconds(1)).forEach(event -> messageSeq(event, redelivered));
                assertThat(redelivered).as("in seq order, none twice, none it had read").isEqualTo(missed);
            }
        }
    }

    /** Floods the room until the server closes the stalled client, which it does exactly once. */
    private static long flood(Rest rest, String room) throws Exception {
        long sent = Flood.untilASlowConsumerIsClosed(rest, room, before -> { });
        assertThat(Flood.metric(rest, "slow_consumer_closes")).as("after %d sends", sent).isEqualTo(1);
        return sent;
    }

    private static void messageSeq(JsonNode event, List<Long> seqs) {
        if (event != null && event.path("type").asText().equals("message")) {
            seqs.add(event.get("seq").asLong());
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(text, e);
        }
    }

}
