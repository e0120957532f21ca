package io.chatapi.application;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lets a repeated log line through at most once per period, counting the ones it holds back, so that a failure
 * that lasts (a webhook down, a database that fails every pass) is told without filling the log. Thread-safe.
 */
public final class LogThrottle {
    private final long periodNanos;
    private final LongSupplier nanoTime;
    private boolean passedBefore;
    private long passedAt;
    private long held;

    public LogThrottle(Duration period) {
        this(period, System::nanoTime);
    }

    LogThrottle(Duration period, LongSupplier nanoTime) {
        this.periodNanos = period.toNanos();
        this.nanoTime = nanoTime;
    }

    /** -1 when this occurrence is held back; else how many were held back since the last one let through. */
    public synchronized long pass() {
        long now = nanoTime.getAsLong();
        if (passedBefore && now - passedAt < periodNanos) {
            held++;
            return -1;
        }
        passedBefore = true;
        passedAt = now;
        long before = held;
        held = 0;
        return before;
    }
}
