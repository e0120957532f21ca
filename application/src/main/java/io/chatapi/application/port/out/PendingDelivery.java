package io.chatapi.application.port.out;

import java.time.Instant;

/** A message queued for a member who was offline when it was sent. */
public record PendingDelivery(long id, String userId, String roomId, String messageId, long seq, int attempts,
                              Instant createdAt) {
}
