package io.chatapi.application.port.out;

/**
 * A webhook outbox entry that is due for an attempt. {@code read} is true for a {@code message.offline} whose
 * recipient has acknowledged its message since it was queued: a push notification for a message already read.
 */
public record DueWebhook(long id, OutboxItem item, int attempts, boolean read) {
    /** An entry whose message, if it has one, is not known to be read. */
    public DueWebhook(long id, OutboxItem item, int attempts) {
        this(id, item, attempts, false);
    }
}
