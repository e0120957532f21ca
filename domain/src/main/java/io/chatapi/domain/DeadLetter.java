package io.chatapi.domain;

import java.time.Instant;

/** A delivery that gave up; {@code kind} tells a socket re-delivery from a webhook delivery. */
public record DeadLetter(long id, String kind, String userId, String roomId, String messageId, long seq,
                         int attempts, Instant createdAt, Instant lastAttemptAt) {
}
