package io.chatapi.bench;

import java.util.random.RandomGenerator;

/** Exponential backoff with full jitter: a uniform delay between 0 and min(cap, base * 2^attempt). */
record Backoff(long baseMillis, long capMillis) {
    Backoff {
        if (baseMillis <= 0 || capMillis < baseMillis) {
            throw new IllegalArgumentException("need 0 < base <= cap");
        }
    }

    long delayMillis(int attempt, RandomGenerator random) {
        long ceiling = baseMillis << Math.min(Math.max(attempt, 0), 30);
        if (ceiling <= 0 || ceiling > capMillis) {
            ceiling = capMillis;
        }
        return random.nextLong(ceiling + 1);
    }
}
