package io.chatapi.application.port.out;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Which users have an open connection right now, and when those without one last had one. Thread-safe,
 * non-blocking.
 */
public interface ConnectionDirectory {
    boolean isOnline(String userId);

    /** Every user with an open connection now (a snapshot). */
    Set<String> onlineUsers();

    /**
     * The last time the user had a connection: now while one is open or still closing, else when their last one
     * closed, while the directory remembers it; empty when it never saw them connected (not since this process
     * started) or has forgotten it ({@link #forgetClosedBefore}).
     */
    Optional<Instant> lastConnected(String userId);

    /** Forgets the closes before {@code cutoff}, which {@link #lastConnected} then no longer gives. */
    void forgetClosedBefore(Instant cutoff);
}
