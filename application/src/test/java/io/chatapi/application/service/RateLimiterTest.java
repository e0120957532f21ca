package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The per-user token bucket, on a clock the test moves. */
class RateLimiterTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T10:00:00Z"));
    private final RateLimiter limiter = new RateLimiter(2, 3, now::get);

    @Test
    void aBurstThenTheRate() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("ann")).isZero();
        }
        assertThat(limiter.acquire("ann")).isEqualTo(Duration.ofMillis(500));
        assertThat(limiter.acquire("bob")).as("buckets are per user").isZero();
        step(Duration.ofMillis(500));
        assertThat(limiter.acquire("ann")).isZero();
        assertThat(limiter.acquire("ann")).isPositive();
    }

    @Test
    void aWallClockSteppedBackDoesNotLockAUserOut() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire("ann");
        }
        step(Duration.ofHours(-1));
        assertThat(limiter.acquire("ann")).as("no token came back, none was taken").isPositive();
        step(Duration.ofMillis(500));
        assertThat(limiter.acquire("ann")).as("refilled at the rate from the new time").isZero();
    }

    @Test
    void aRefundGivesBackOneTokenUpToTheBurst() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire("ann");
        }
        limiter.refund("ann");
        assertThat(limiter.acquire("ann")).isZero();
        assertThat(limiter.acquire("ann")).isPositive();
        limiter.refund("bob"); // no bucket yet: nothing to give back
        for (int i = 0; i < 5; i++) {
            limiter.refund("ann");
        }
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("ann")).as("the burst, no more").isZero();
        }
        assertThat(limiter.acquire("ann")).isPositive();
    }

    @Test
    void usersIdleForAsLongAsABucketTakesToFillAreForgottenOnceThereAreMany() {
        for (int i = 0; i <= RateLimiter.SWEEP_ABOVE; i++) {
            limiter.acquire("visitor" + i);
        }
        for (int i = 0; i < 3; i++) {
            limiter.acquire("ann");
        }
        step(Duration.ofMillis(1_499)); // a bucket of 3 at 2 a second fills in 1.5 s
        limiter.acquire("bob");
        assertThat(limiter.users()).as("nobody idle long enough yet").isEqualTo(RateLimiter.SWEEP_ABOVE + 3);
        step(Duration.ofMillis(1));
        limiter.acquire("carol");
        assertThat(limiter.users()).as("bob and carol").isEqualTo(2);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("ann")).as("a forgotten user starts with a full bucket, as they had").isZero();
        }
        assertThat(limiter.acquire("ann")).isPositive();
    }

    private void step(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }
}
