package io.chatapi.application.port.out;

/**
 * A webhook delivery to queue durably. {@code kind} is the event type (for example
 * {@code message.offline}); {@code userId}, {@code roomId} and {@code messageId} describe it for dead-letter
 * listings and may be null; {@code body} is what to POST, its part shared with other items stored once.
 */
public record OutboxItem(String webhookId, String kind, String userId, String roomId, String messageId, long seq,
                         WebhookBody body) {
    /** The kind of a push notification for one message; a store drops those not yet sent when the message goes. */
    public static final String MESSAGE_OFFLINE = "message.offline";

    /** An item whose body, {@code text}, shares nothing with another's. */
    public OutboxItem(String webhookId, String kind, String userId, String roomId, String messageId, long seq,
                      String text) {
        this(webhookId, kind, userId, roomId, messageId, seq, WebhookBody.whole(text));
    }
}
