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
    /** The limit when the open-file limit leaves no room for a connection beside the margin: the start fails. */
    static final int NONE = 0;
    /** Why a start fails with {@link #NONE}. */
    static final String NO_ROOM = "the open-file limit leaves no room for connections beside the files open at "
            + "start and a margin of 128 for those opened later: raise it to 1024 or more (ulimit -n, systemd's "
            + "LimitNOFILE=)";

    private ConnectionLimit() {
    }

    /**
     * The limit for this process now; {@link #UNLIMITED} where the open-file limit is unknown, {@link #NONE} where
     * it leaves no room (also when the files open cannot be counted: the JDK opens one to count them).
     */
    static int forThisProcess() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            long open;
            try {
                open = unix.getOpenFileDescriptorCount();
            } catch (InternalError e) {
                return NONE; // "errno: 24" reading /proc/self/fd: no file is left to open
            }
            return forOpenFiles(unix.getMaxFileDescriptorCount(), open);
        }
        return UNLIMITED;
    }

    /**
     * The limit for a process that may hold {@code maxFiles} files and holds {@code openFiles}: those, and a
     * margin of a tenth of the maximum (128 to 1,024), are held back; {@link #NONE} when nothing is left beside them.
     */
    static int forOpenFiles(long maxFiles, long openFiles) {
        if (maxFiles <= 0 || maxFiles >= Integer.MAX_VALUE) {
            return UNLIMITED;
        }
        long reserve = Math.max(0, openFiles) + Math.clamp(maxFiles / 10, MIN_RESERVE, MAX_RESERVE);
        return (int) Math.max(NONE, maxFiles - reserve);
    }

    /** Whether {@code limit} is so low that a few clients hold every place (health checks included). */
    static boolean low(int limit) {
        return limit != UNLIMITED && limit < LOW;
    }
}
