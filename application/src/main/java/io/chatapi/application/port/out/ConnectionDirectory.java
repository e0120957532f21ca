package io.chatapi.application.port.out;

import java.util.Set;

/** Which users have an open connection right now. Thread-safe, non-blocking. */
public interface ConnectionDirectory {
    boolean isOnline(String userId);

    /** Every user with an open connection now (a snapshot). */
    Set<String> onlineUsers();
}
