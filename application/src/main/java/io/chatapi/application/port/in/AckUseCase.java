package io.chatapi.application.port.in;

import io.chatapi.domain.Principal;

/** Acknowledges everything up to a seq: clears queued deliveries and tells the room. */
public interface AckUseCase {
    void ack(Principal caller, String roomId, long seq);
}
