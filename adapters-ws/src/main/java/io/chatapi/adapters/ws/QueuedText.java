package io.chatapi.adapters.ws;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The text waiting in every socket's outgoing queue of the process, in UTF-16 code units, and its bound: each
 * queue is bounded on its own ({@link OutgoingQueue#MAX_QUEUED_CHARS}), but clients that stop reading can hold
 * that much on each of their sockets, and a few users with a few sockets each would then fill the heap. Thread-safe.
 */
final class QueuedText {
    /** The process's: an eighth of the maximum heap, at two bytes a code unit. */
    static final QueuedText PROCESS = new QueuedText(Math.max(OutgoingQueue.MAX_QUEUED_CHARS,
            Runtime.getRuntime().maxMemory() / 8 / 2));

    private final long max;
    private final AtomicLong queued = new AtomicLong();

    QueuedText(long max) {
        this.max = max;
    }

    /** Counts {@code chars} more (fewer when negative); returns the total after it. */
    long add(long chars) {
        return queued.addAndGet(chars);
    }

    long max() {
        return max;
    }

    long queued() {
        return queued.get();
    }
}
