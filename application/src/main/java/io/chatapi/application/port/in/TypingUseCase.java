package io.chatapi.application.port.in;

import io.chatapi.domain.Principal;

/** Relays typing indicators to the room. */
public interface TypingUseCase {
    void typing(Principal caller, String roomId, boolean start);
}
