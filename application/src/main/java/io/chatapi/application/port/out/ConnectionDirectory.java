package io.chatapi.application.port.out;

/** Which users have an open connection right now. Thread-safe, non-blocking. */
public interface ConnectionDirectory {
    boolean isOnline(String userId);
}
