package io.chatapi.application.port.out;

import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * The users who were online when the server last stopped gracefully, kept until the next start so that a
 * restart does not announce every one of them offline and online again.
 *
 * @throws StoreUnavailableException from any method when the store cannot be reached
 */
public interface PresenceStore {
    /** The users online at a graceful stop and when it was. */
    record Kept(Set<String> userIds, Instant at) {
        public Kept {
            userIds = Set.copyOf(userIds);
        }
    }

    /** Replaces whatever was kept with {@code userIds}, online at {@code at}. */
    void keepOnline(Collection<String> userIds, Instant at);

    /** What the last {@link #keepOnline} kept, if anything; the store forgets it as it returns it. */
    Optional<Kept> takeOnline();
}
