package io.chatapi.application.service;

import io.chatapi.application.port.out.TimeSource;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per user, shared by every transport: capacity {@code burst}, refilled at {@code rate}
 * tokens per second. A rate of 0 disables limiting. Above {@link #SWEEP_ABOVE} users, the buckets of those idle
 * for as long as a bucket takes to fill are forgotten (a new one is as full), at most once per that time, so that
 * memory follows the users who send now, not every user ever seen. Thread-safe.
 */
public final class RateLimiter {
    static final int SWEEP_ABOVE = 10_000;

    private final double rate;
    private final double burst;
    private final TimeSource clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    /** How long an idle bucket takes to fill, which is also how often the buckets may be swept. */
    private final long fillNanos;
    private final SweepSchedule sweeps;

    public RateLimiter(double rate, int burst, TimeSource clock) {
        this.rate = rate;
        this.burst = Math.max(1, burst);
        this.clock = clock;
        this.fillNanos = rate <= 0 ? Long.MAX_VALUE : (long) Math.ceil(this.burst / rate * 1e9);
        this.sweeps = new SweepSchedule(SWEEP_ABOVE, Duration.ofNanos(fillNanos));
    }

    /** Takes a token; returns zero when allowed, else how long until the next token. */
    public Duration acquire(String userId) {
        if (rate <= 0) {
            return Duration.ZERO;
        }
        long nowNanos = nanos();
        sweep(nowNanos);
        Bucket bucket = buckets.computeIfAbsent(userId, u -> new Bucket(burst, nowNanos));
        synchronized (bucket) {
            // a wall clock stepped back (NTP, a restored VM) gives no tokens, and takes none either
            double elapsed = Math.max(0, nowNanos - bucket.updatedNanos) / 1e9;
            bucket.tokens = Math.min(burst, bucket.tokens + elapsed * rate);
            bucket.updatedNanos = nowNanos;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return Duration.ZERO;
            }
            double wait = (1 - bucket.tokens) / rate;
            return Duration.ofNanos((long) Math.ceil(wait * 1e9));
        }
    }

    /** Gives back a token {@link #acquire} took for a send that turned out to be a repeat (nothing new sent). */
    public void refund(String userId) {
        if (rate <= 0) {
            return;
        }
        Bucket bucket = buckets.get(userId);
        if (bucket != null) {
            synchronized (bucket) {
                bucket.tokens = Math.min(burst, bucket.tokens + 1);
            }
        }
    }

    /** How many users have a bucket now. */
    int users() {
        return buckets.size();
    }

    private void sweep(long nowNanos) {
        if (!sweeps.claim(buckets.size(), nowNanos)) {
            return;
        }
        buckets.values().removeIf(bucket -> {
            synchronized (bucket) {
                return nowNanos - bucket.updatedNanos >= fillNanos;
            }
        });
    }

    private long nanos() {
        return SweepSchedule.nanos(clock.now());
    }

    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long updatedNanos) {
            this.tokens = tokens;
            this.updatedNanos = updatedNanos;
        }
    }
}
