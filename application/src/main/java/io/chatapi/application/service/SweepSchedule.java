package io.chatapi.application.service;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When an in-memory map of per-user or per-room records may be swept of its idle entries: only while it holds more
 * than a bound, and at most once per period, by whichever caller claims it first. Thread-safe.
 */
final class SweepSchedule {
    private final int above;
    private final long periodNanos;
    private final AtomicLong nextNanos = new AtomicLong(Long.MIN_VALUE);

    SweepSchedule(int above, Duration period) {
        this.above = above;
        this.periodNanos = period.toNanos();
    }

    /** True for the one caller that is to sweep now: the map holds {@code size} entries, more than the bound. */
    boolean claim(int size, long nowNanos) {
        long due = nextNanos.get();
        return size > above && nowNanos >= due && nextNanos.compareAndSet(due, nowNanos + periodNanos);
    }

    boolean claim(int size, Instant now) {
        return claim(size, nanos(now));
    }

    /** A time of the wall clock in nanoseconds since the epoch. */
    static long nanos(Instant time) {
        return time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }
}
