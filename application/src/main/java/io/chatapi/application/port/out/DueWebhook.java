package io.chatapi.application.port.out;

/** A webhook outbox entry that is due for an attempt. */
public record DueWebhook(long id, OutboxItem item, int attempts) {
}
