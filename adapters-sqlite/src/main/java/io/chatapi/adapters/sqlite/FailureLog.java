package io.chatapi.adapters.sqlite;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Database failures as an operator wants them: one WARNING line naming the cause (for example {@code [SQLITE_FULL]
 * … database or disk is full}), at most one per interval with the number left out since the last line; each
 * failure's stack trace at FINE. A full disk fails every write, and a log line with a stack trace per write
 * would bury the cause (and fill the same disk). Thread-safe.
 */
final class FailureLog {
    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextLineAt;
    private final AtomicLong leftOut = new AtomicLong();

    FailureLog(Logger log, long intervalNanos, LongSupplier nanoTime) {
        this.log = log;
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
        this.nextLineAt = new AtomicLong(nanoTime.getAsLong());
    }

    /** Reports one failure: {@code what} failed because of {@code cause}. */
    void failed(String what, Throwable cause) {
        log.log(Level.FINE, what, cause);
        long now = nanoTime.getAsLong();
        long due = nextLineAt.get();
        if (now - due < 0 || !nextLineAt.compareAndSet(due, now + intervalNanos)) {
            leftOut.incrementAndGet();
            return;
        }
        long skipped = leftOut.getAndSet(0);
        String line = what + ": " + rootMessage(cause)
                + (skipped == 0 ? "" : " (" + skipped + " more database failures since the last line)");
        log.logp(Level.WARNING, log.getName(), "failed", line);
    }

    /** The deepest cause's message, or its class when it has none. */
    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
