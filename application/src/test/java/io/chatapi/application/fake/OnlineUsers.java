package io.chatapi.application.fake;

import io.chatapi.application.port.out.ConnectionDirectory;
import java.util.Set;

/** A {@link ConnectionDirectory} in which the users in {@code users} (read live) have a connection. */
public record OnlineUsers(Set<String> users) implements ConnectionDirectory {
    @Override
    public boolean isOnline(String userId) {
        return users.contains(userId);
    }

    @Override
    public Set<String> onlineUsers() {
        return Set.copyOf(users);
    }
}
