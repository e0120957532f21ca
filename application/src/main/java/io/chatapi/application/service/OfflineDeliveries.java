package io.chatapi.application.service;

import io.chatapi.application.port.out.ConnectionDirectory;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.WebhookEvent;
import io.chatapi.application.port.out.WebhookSender;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans what a new message owes to members without an open connection: a queued socket re-delivery each
 * and, with a webhook, a durable {@code message.offline} notification. Bots and the sender are never
 * recipients. Thread-safe.
 */
public final class OfflineDeliveries {
    private final ConnectionDirectory connections;
    private final WebhookSender webhook;
    private final Runnable outboxWake;

    /** {@code outboxWake} starts a pass of the webhook outbox; it must not block. */
    public OfflineDeliveries(ConnectionDirectory connections, WebhookSender webhook, Runnable outboxWake) {
        this.connections = connections;
        this.webhook = webhook;
        this.outboxWake = outboxWake;
    }

    /**
     * Call once the message a plan was made for is committed: the webhooks it queued are attempted at once
     * (PROTOCOL §5), whoever sent the message, a human, a bot or the handoff.
     */
    public void committed(DeliveryPlan plan) {
        if (plan != DeliveryPlan.NONE) {
            outboxWake.run();
        }
    }

    /** The plan for a message sent by {@code senderId} in {@code room} whose members are {@code members}. */
    public DeliveryPlan planFor(Room room, List<Member> members, String senderId) {
        List<String> offline = new ArrayList<>();
        for (Member member : members) {
            if (member.role() != MemberRole.BOT && !member.userId().equals(senderId)
                    && !connections.isOnline(member.userId())) {
                offline.add(member.userId());
            }
        }
        if (offline.isEmpty()) {
            return DeliveryPlan.NONE;
        }
        List<String> recipients = List.copyOf(offline);
        boolean notify = webhook.enabled();
        return stored -> {
            List<OutboxItem> webhooks = new ArrayList<>(notify ? recipients.size() : 0);
            if (notify) {
                for (String recipient : recipients) {
                    String body = webhook.encode(new WebhookEvent.MessageOffline(room, recipient, stored));
                    webhooks.add(new OutboxItem(Ids.next("wh_"), OutboxItem.MESSAGE_OFFLINE, recipient, stored.roomId(),
                            stored.id(), stored.seq(), body));
                }
            }
            return new DeliveryPlan.Deliveries(recipients, webhooks);
        };
    }
}
