package io.chatapi.application;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    @Test
    void theFirstPassesAndTheRestAreCountedUntilThePeriodIsOver() {
        AtomicLong nanos = new AtomicLong(-5); // nanoTime may be negative
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(60), nanos::get);
        assertThat(throttle.pass()).isZero();
        nanos.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(throttle.pass()).isEqualTo(-1);
        assertThat(throttle.pass()).isEqualTo(-1);
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(throttle.pass()).as("two held back since").isEqualTo(2);
        assertThat(throttle.pass()).isEqualTo(-1);
    }
}
