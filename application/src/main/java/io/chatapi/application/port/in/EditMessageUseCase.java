package io.chatapi.application.port.in;

import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;

/** Edits (sender only) and deletes (sender or admin) messages, telling the room. */
public interface EditMessageUseCase {
    Message edit(Principal caller, String roomId, String messageId, String content);

    void delete(Principal caller, String roomId, String messageId);
}
