package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.Cancellation;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReplySlotsTest {
    @Test
    void theLargestLimitStillLetsOneBotTakeManySlots() {
        ReplySlots slots = new ReplySlots(Integer.MAX_VALUE);
        for (int i = 0; i < 5; i++) {
            Cancellation cancellation = new Cancellation();
            try {
                assertThat(CompletableFuture.supplyAsync(() -> slots.acquire("bot_1", cancellation)))
                        .succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
            } finally {
                cancellation.cancel(); // a waiter left by a failure gives up
            }
        }
    }
}
