package io.chatapi.application.fake;

import io.chatapi.application.port.out.ConnectionDirectory;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link ConnectionDirectory} in which the users in {@code users} (read live) have a connection, and which saw
 * no one else connected.
 */
public record OnlineUsers(Set<String> users) implements ConnectionDirectory {
    @Override
    public boolean isOnline(String userId) {
        return users.contains(userId);
    }

    @Override
    public Set<String> onlineUsers() {
        return Set.copyOf(users);
    }

    @Override
    public Optional<Instant> lastConnected(String userId) {
        return isOnline(userId) ? Optional.of(Instant.now()) : Optional.empty();
    }

    @Override
    public void forgetClosedBefore(Instant cutoff) {
    }
}
