package io.chatapi.adapters.ws;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/**
 * How many TCP connections the listener holds at once: the process's open-file limit less the files open at
 * start (libraries, the database) and a margin for what opens later (outgoing HTTP, database readers) and for
 * sockets still closing (Helidon gives a connection's place back just before it closes the socket). At the limit
 * the listener stops accepting and new connections wait in the kernel's backlog, instead of an {@code accept}
 * failing with "too many open files", which ends Helidon's listener for good: the margin errs on the large side.
 */
final class ConnectionLimit {
    /** Helidon's value for "no limit". */
    static final int UNLIMITED = -1;
    private static final long MIN_RESERVE = 128;
    private static final long MAX_RESERVE = 1024;
    /** Below this many connections the start-up line is a warning: a few clients would lock out the rest. */
    static final int LOW = 100;

    private ConnectionLimit() {
    }

    /** The limit for this process now; {@link #UNLIMITED} where the open-file limit is unknown. */
    static int forThisProcess() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            return forOpenFiles(unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount());
        }
        return UNLIMITED;
    }

    /**
     * The limit for a process that may hold {@code maxFiles} files and holds {@code openFiles}: those, and a
     * margin of a tenth of the maximum (128 to 1,024), are held back.
     */
    static int forOpenFiles(long maxFiles, long openFiles) {
        if (maxFiles <= 0 || maxFiles >= Integer.MAX_VALUE) {
            return UNLIMITED;
        }
        long reserve = Math.max(0, openFiles) + Math.clamp(maxFiles / 10, MIN_RESERVE, MAX_RESERVE);
        return (int) Math.max(1, maxFiles - reserve);
    }

    /** Whether {@code limit} is so low that a few clients hold every place (health checks included). */
    static boolean low(int limit) {
        return limit != UNLIMITED && limit < LOW;
    }
}
