package io.chatapi.application.service;

import io.chatapi.application.port.out.ConnectionDirectory;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.OwedMessage;
import io.chatapi.application.port.out.WebhookBody;
import io.chatapi.application.port.out.WebhookSender;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans what a new message owes to members without an open connection: a queued socket re-delivery each
 * and, with a webhook, a durable {@code message.offline} notification. Bots and the sender are never
 * recipients. Who is offline is decided when the message is committed, not when it is sent (see
 * {@link OfflinePlan}). Thread-safe.
 */
public final class OfflineDeliveries {
    private static final System.Logger LOG = System.getLogger(OfflineDeliveries.class.getName());
    private final ConnectionDirectory connections;
    private final WebhookSender webhook;
    private final DeliveryStore store;
    private final Runnable outboxWake;

    /** {@code outboxWake} starts a pass of the webhook outbox; it must not block. */
    public OfflineDeliveries(ConnectionDirectory connections, WebhookSender webhook, DeliveryStore store,
                             Runnable outboxWake) {
        this.connections = connections;
        this.webhook = webhook;
        this.store = store;
        this.outboxWake = outboxWake;
    }

    /**
     * Call once the message a plan was made for is committed and its turn closed: queues the members the
     * publishing found without a connection, and attempts at once the webhooks queued (PROTOCOL §5), whoever
     * sent the message, a human, a bot or the handoff.
     */
    public void committed(OfflinePlan plan) {
        plan.committed();
    }

    /** Starts a pass of the webhook outbox, for a message that queued a webhook of its own. */
    public void wakeOutbox() {
        outboxWake.run();
    }

    /** The plan for a message sent by {@code senderId} in {@code room} whose members are {@code members}. */
    public OfflinePlan planFor(Room room, List<Member> members, String senderId) {
        List<String> recipients = new ArrayList<>(members.size());
        for (Member member : members) {
            if (member.role() != MemberRole.BOT && !member.userId().equals(senderId)) {
                recipients.add(member.userId());
            }
        }
        return new OfflinePlan(this, room, recipients);
    }

    boolean isOnline(String userId) {
        return connections.isOnline(userId);
    }

    /** The queue entries and webhooks {@code stored} owes {@code recipients}. */
    DeliveryPlan.Deliveries deliveries(Room room, List<String> recipients, Message stored) {
        if (recipients.isEmpty()) {
            return DeliveryPlan.Deliveries.NONE;
        }
        List<OutboxItem> webhooks = new ArrayList<>(webhook.enabled() ? recipients.size() : 0);
        if (webhook.enabled()) {
            // one encoding for all: the bodies share the room's metadata and the message, stored once
            List<WebhookBody> bodies = webhook.encodeOffline(room, recipients, stored);
            for (int i = 0; i < recipients.size(); i++) {
                webhooks.add(new OutboxItem(Ids.next("wh_"), OutboxItem.MESSAGE_OFFLINE, recipients.get(i),
                        stored.roomId(), stored.id(), stored.seq(), bodies.get(i)));
            }
        }
        return new DeliveryPlan.Deliveries(List.copyOf(recipients), webhooks);
    }

    /**
     * Queues, in one write, messages already stored for recipients that had missed them, then starts a pass of
     * the webhook outbox when they put webhooks in it. Throws what the store throws.
     */
    void queue(List<OwedMessage> owed) {
        if (owed.isEmpty()) {
            return;
        }
        store.queueOffline(owed);
        if (webhook.enabled()) {
            outboxWake.run();
        }
    }

    /** Whether queuing for offline members put a webhook in the outbox. */
    boolean notifies() {
        return webhook.enabled();
    }

    /**
     * Queues, in one write of its own, a committed message for members whose last connection closed after its
     * transaction found them online. A failure is logged: the message itself is stored and answered.
     */
    void queueLate(Room room, List<String> recipients, Message stored) {
        try {
            store.queueOffline(stored, deliveries(room, recipients, stored));
            if (webhook.enabled()) {
                outboxWake.run();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not queue message {0} of room {1} for {2} members who went"
                    + " offline as it was sent: {3}", stored.id(), stored.roomId(), recipients.size(), e.toString());
        }
    }
}
