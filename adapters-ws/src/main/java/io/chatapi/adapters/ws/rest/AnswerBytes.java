package io.chatapi.adapters.ws.rest;

import java.util.HashMap;
import java.util.Map;

/**
 * The bytes of REST answers being written, and their bound. An answer is held in memory until its client has taken
 * it, and one that the client does not read is held until the write is cut ({@link AnswerWatch}): a history page of
 * control characters (each escaped as six bytes) is about 49 MB, so a few clients that ask for such pages and stop
 * reading could otherwise fill the heap. Answers of at most {@link #SMALL} bytes are not counted. A larger answer is
 * refused (the caller answers 503) when it would take the total past the bound, or the caller's own answers past a
 * quarter of it, unless nothing (or nothing of the caller's) is being written: one answer of any size still goes.
 * Thread-safe.
 */
public final class AnswerBytes {
    /** Answers up to this size are not counted, and are written in one piece. */
    static final int SMALL = 64 * 1024;
    private static final long LEAST = 16L << 20;

    private final long max;
    private final long perUser;
    private long total;
    private final Map<String, Long> byUser = new HashMap<>();

    public AnswerBytes(long max) {
        this.max = max;
        this.perUser = max / 4;
    }

    /** The bound for this process: an eighth of the maximum heap, and at least 16 MiB. */
    public static long forThisProcess() {
        return Math.max(LEAST, Runtime.getRuntime().maxMemory() / 8);
    }

    /** Counts an answer of {@code bytes} for {@code user}; false when it does not fit now. */
    boolean take(String user, long bytes) {
        if (bytes <= SMALL) {
            return true;
        }
        synchronized (this) {
            long mine = byUser.getOrDefault(user, 0L);
            if (total > 0 && total + bytes > max || mine > 0 && mine + bytes > perUser) {
                return false;
            }
            total += bytes;
            byUser.put(user, mine + bytes);
            return true;
        }
    }

    /** The answer {@link #take} counted has been written, or will not be. */
    void give(String user, long bytes) {
        if (bytes <= SMALL) {
            return;
        }
        synchronized (this) {
            total -= bytes;
            byUser.computeIfPresent(user, (u, held) -> held == bytes ? null : held - bytes);
        }
    }

    synchronized long total() {
        return total;
    }
}
