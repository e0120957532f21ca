package io.chatapi.application.port.out;

/**
 * A webhook delivery to queue durably. {@code kind} is the event type (for example
 * {@code message.offline}); {@code userId}, {@code roomId} and {@code messageId} describe it for dead-letter
 * listings and may be null; {@code body} is the exact JSON to POST.
 */
public record OutboxItem(String webhookId, String kind, String userId, String roomId, String messageId, long seq,
                         String body) {
}
