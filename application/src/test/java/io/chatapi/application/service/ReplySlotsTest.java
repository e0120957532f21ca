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
                assertThat(CompletableFuture.supplyAsync(() -> slots.acquire("bot_1", "alice", cancellation)))
                        .succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
            } finally {
                cancellation.cancel(); // a waiter left by a failure gives up
            }
        }
    }

    @Test
    void oneUsersRepliesHoldASixteenthAndTheOthersGetTheirsMeanwhile() {
        ReplySlots slots = new ReplySlots(128); // eight per user
        for (int i = 0; i < 8; i++) {
            assertThat(slots.acquire("bot_1", "mallory", new Cancellation())).isTrue();
        }
        Cancellation third = new Cancellation();
        try {
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(
                    () -> slots.acquire("bot_1", "mallory", third));
            assertThat(waiting).failsWithin(Duration.ofMillis(300)); // still waiting
            assertThat(CompletableFuture.supplyAsync(() -> slots.acquire("bot_1", "victim", new Cancellation())))
                    .succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);

            slots.release("bot_1", "mallory");
            assertThat(waiting).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(true);
        } finally {
            third.cancel();
        }
    }

    @Test
    void aSmallLimitLetsOneUserHaveFour() {
        ReplySlots slots = new ReplySlots(8);
        for (int i = 0; i < 4; i++) {
            assertThat(slots.acquire("bot_" + (i % 2), "alice", new Cancellation())).isTrue();
        }
        Cancellation fifth = new Cancellation();
        assertThat(CompletableFuture.supplyAsync(() -> slots.acquire("bot_1", "alice", fifth)))
                .failsWithin(Duration.ofMillis(200));
        fifth.cancel();
        assertThat(slots.acquire("bot_1", "bob", new Cancellation())).isTrue();
    }
}
