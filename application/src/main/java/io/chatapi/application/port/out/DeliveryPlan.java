package io.chatapi.application.port.out;

import io.chatapi.domain.Message;
import java.util.List;

/**
 * What must be queued atomically with a new message, computed from the stored message (its seq is known
 * only inside the transaction). Runs on the store's writer thread: it must be fast and must not block.
 */
@FunctionalInterface
public interface DeliveryPlan {
    /** Offline recipients to queue for socket re-delivery, and webhook deliveries to put in the outbox. */
    Deliveries plan(Message stored);

    DeliveryPlan NONE = stored -> Deliveries.NONE;

    /** The result of a plan. */
    record Deliveries(List<String> offlineRecipients, List<OutboxItem> webhooks) {
        public static final Deliveries NONE = new Deliveries(List.of(), List.of());
    }
}
