package io.chatapi.application.port.in;

import java.util.List;

/**
 * Messages a connection had queued for its client but never wrote to the socket before it ended (a slow consumer
 * closed with 1013, a client that vanished, a stop that closed sockets with frames still queued). The user gets
 * them as from the offline queue. Called by the transport once the connection no longer counts as open, and only
 * when no connection of the user opened before it is still open (that one was sent them live; one opened later
 * may not have been);
 * blocks while it reads and writes the store, so it must not run on a thread that serves sockets. Failures are
 * logged, not thrown.
 */
public interface UnsentMessagesUseCase {
    /** Queues {@code messages} (in any order, possibly repeated) for {@code userId}. */
    void unsent(String userId, List<UnsentMessage> messages);

    /** A {@code message} event (a person's, a bot's or a server marker) that never reached its socket. */
    record UnsentMessage(String roomId, String messageId, long seq) {
    }
}
