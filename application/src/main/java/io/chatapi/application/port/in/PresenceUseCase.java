package io.chatapi.application.port.in;

/**
 * Presence, driven by the transport: {@code online} when a user's first connection opens; {@code offline}
 * a grace period after the last one closes, unless the user came back. Peers sharing a room are told.
 */
public interface PresenceUseCase {
    void firstConnectionOpened(String userId);

    void lastConnectionClosed(String userId);

    /** One of the user's connections closed while another stays open; nothing by default. */
    default void connectionClosed(String userId) {
    }
}
