package io.chatapi.application.port.in;

import io.chatapi.application.port.out.Appended;
import io.chatapi.domain.Principal;

/**
 * Sends a message: validates, rate-limits (one bucket per user for every transport), stores it durably,
 * then fans it out, queues offline members and triggers bots. A repeated client id returns the original.
 */
public interface SendMessageUseCase {
    /** {@code meta} and {@code clientMsgId} may be null. */
    record SendMessage(String roomId, String content, String meta, String clientMsgId) {
    }

    Appended send(Principal caller, SendMessage command);
}
