package io.chatapi.application.fake;

import io.chatapi.application.port.out.PresenceStore;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/** {@link PresenceStore} in memory (kept only as long as the object lives). Thread-safe. */
public final class InMemoryPresenceStore implements PresenceStore {
    private final AtomicReference<Kept> kept = new AtomicReference<>();

    @Override
    public void keepOnline(Collection<String> userIds, Instant at) {
        kept.set(userIds.isEmpty() ? null : new Kept(Set.copyOf(userIds), at));
    }

    @Override
    public Optional<Kept> takeOnline() {
        return Optional.ofNullable(kept.getAndSet(null));
    }
}
