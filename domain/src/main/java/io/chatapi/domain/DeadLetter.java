package io.chatapi.domain;

import java.time.Instant;

/**
 * A delivery that gave up; {@code kind} tells a socket re-delivery from a webhook delivery. A webhook delivery's
 * {@code event} (its type) and {@code webhookId} (its {@code webhook-id} header); null for a socket re-delivery.
 */
public record DeadLetter(long id, String kind, String userId, String roomId, String messageId, long seq,
                         int attempts, Instant createdAt, Instant lastAttemptAt, String event, String webhookId) {
}
