package io.chatapi.application.service;

import io.chatapi.application.ServerMetrics;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Principal;
import java.time.Duration;
import java.time.Instant;

/**
 * A per-user rate limit on one kind of change, which admins are not held to: the application's own back end
 * acts with an admin token and must not be slowed by what one user does.
 */
public final class UserLimit {
    private final RateLimiter limiter;
    private final ServerMetrics metrics;

    public UserLimit(RateLimiter limiter, ServerMetrics metrics) {
        this.limiter = limiter;
        this.metrics = metrics;
    }

    /** No limit at all. */
    public static UserLimit none() {
        return new UserLimit(new RateLimiter(0, 1, () -> Instant.EPOCH), new ServerMetrics());
    }

    /** Gives back what {@link #take} took for a request that turned out to change nothing. */
    void refund(Principal caller) {
        if (!caller.isAdmin()) {
            limiter.refund(caller.userId());
        }
    }

    /** Takes one change from the caller's bucket; {@code rate_limited} with the wait when it is empty. */
    void take(Principal caller) {
        if (caller.isAdmin()) {
            return;
        }
        Duration wait = limiter.acquire(caller.userId());
        if (!wait.isZero()) {
            metrics.rateLimited.incrementAndGet();
            throw ChatException.rateLimited(wait);
        }
    }
}
