package io.chatapi.application.port.out;

import java.time.Instant;

/**
 * A message before the store gives it a {@code seq}. {@code meta} and {@code clientMsgId} may be null.
 */
public record MessageDraft(String id, String roomId, String senderId, String content, String meta,
                           String clientMsgId, Instant createdAt) {
}
