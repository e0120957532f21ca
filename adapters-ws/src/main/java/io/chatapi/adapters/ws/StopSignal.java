package io.chatapi.adapters.ws;

import java.util.concurrent.atomic.AtomicLong;

/** Raised once when the server begins to stop, with the time it was raised. Thread-safe. */
final class StopSignal {
    private static final long DOWN = Long.MIN_VALUE;

    private final AtomicLong raisedAt = new AtomicLong(DOWN);

    /** Raises the signal; false when it was already up. */
    boolean raise() {
        return raisedAt.compareAndSet(DOWN, System.nanoTime());
    }

    boolean isRaised() {
        return raisedAt.get() != DOWN;
    }

    /** Milliseconds since the signal was raised; 0 while it is down. */
    long elapsedMillis() {
        long at = raisedAt.get();
        return at == DOWN ? 0 : (System.nanoTime() - at) / 1_000_000;
    }

    /** Lowers the signal again, for a test that put a running server in the stopping state. */
    void lower() {
        raisedAt.set(DOWN);
    }
}
