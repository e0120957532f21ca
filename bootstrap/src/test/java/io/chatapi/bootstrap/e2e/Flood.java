package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/** Floods a room with large messages over REST until the server closes a stalled client as a slow consumer. */
final class Flood {
    private static final int MAX_SENDS = 4_000;
    private static final int BATCH = 64;
    static final String CONTENT = "x".repeat(15_000);

    private Flood() {
    }

    /**
     * Sends batches of {@value #BATCH} messages, four at a time, until {@code slow_consumer_closes} is no longer 0
     * (or {@value #MAX_SENDS} were sent); {@code afterBatch} gets the count sent before each batch, once the batch
     * is answered. Returns how many were sent.
     */
    static long untilASlowConsumerIsClosed(Rest rest, String room, LongConsumer afterBatch) throws Exception {
        String token = Tokens.user("sender");
        long sent = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            while (sent < MAX_SENDS && metric(rest, "slow_consumer_closes") == 0) {
                List<Future<Integer>> batch = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    batch.add(pool.submit(() -> rest.post("/rooms/" + room + "/messages", token,
                            Map.of("content", CONTENT)).status()));
                }
                for (Future<Integer> status : batch) {
                    assertThat(status.get()).isEqualTo(200);
                }
                afterBatch.accept(sent);
                sent += BATCH;
            }
        }
        return sent;
    }

    static long metric(Rest rest, String name) {
        return rest.get("/metrics", null).json().get(name).asLong();
    }
}
