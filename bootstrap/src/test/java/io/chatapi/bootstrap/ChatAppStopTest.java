package io.chatapi.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChatAppStopTest {

    @Test
    void aPresenceWriteThatNeverEndsDoesNotHoldTheStopPastItsDeadline() {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(200);

        long keptAt = ChatApp.keptBy(new CompletableFuture<>(), deadline);

        assertThat(keptAt).isGreaterThanOrEqualTo(deadline);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void aPresenceWriteDoneGivesWhenItWasDone() {
        assertThat(ChatApp.keptBy(CompletableFuture.completedFuture(42L), System.nanoTime())).isEqualTo(42L);
        assertThat(ChatApp.keptBy(CompletableFuture.failedFuture(new IllegalStateException("no")), System.nanoTime()))
                .isPositive();
    }
}
