package io.chatapi.application.service;

import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The offline deliveries of one new message (PROTOCOL §5: every member but the sender with no open connection
 * when it is committed is queued). A send may wait in the store's writer for seconds, while members' sockets
 * close, so the offline members are chosen inside the message's transaction, on the writer thread, and checked
 * again when its event is published: one whose last connection closed between the two is queued then, by one
 * more write that the sender's call makes (or a thread of its own, when the event is published after the sender's
 * call has returned). Nobody is queued twice. Used by one message's sender; thread-safe.
 */
public final class OfflinePlan implements DeliveryPlan {
    private final OfflineDeliveries deliveries;
    private final Room room;
    /** The members the message is for: humans other than its sender. */
    private final List<String> recipients;
    /** Those the committed transaction queued (its last attempt, when the writer ran it again). */
    private volatile Set<String> queued = Set.of();
    /** Those the publishing found without a connection, until the sender's call queues them. */
    private List<String> late;
    private Message lateMessage;
    private boolean senderDone;

    OfflinePlan(OfflineDeliveries deliveries, Room room, List<String> recipients) {
        this.deliveries = deliveries;
        this.room = room;
        this.recipients = List.copyOf(recipients);
    }

    @Override
    public Deliveries plan(Message stored) {
        List<String> offline = new ArrayList<>();
        for (String recipient : recipients) {
            if (!deliveries.isOnline(recipient)) {
                offline.add(recipient);
            }
        }
        queued = Set.copyOf(offline);
        return deliveries.deliveries(room, offline, stored);
    }

    /**
     * Call right after the stored message's event was published, in the room's order: the members who now have
     * no connection to take it, and were not queued by its transaction, are queued. Never blocks.
     */
    public void published(Message stored) {
        Set<String> done = queued;
        List<String> gone = new ArrayList<>(0);
        for (String recipient : recipients) {
            if (!done.contains(recipient) && !deliveries.isOnline(recipient)) {
                gone.add(recipient);
            }
        }
        if (gone.isEmpty()) {
            return;
        }
        synchronized (this) {
            if (!senderDone) {
                late = gone;
                lateMessage = stored;
                return;
            }
        }
        Thread.ofVirtual().name("queue-offline").start(() -> deliveries.queueLate(room, gone, stored));
    }

    /** The sender's call is done with the message: queues whom the publishing found gone, wakes the outbox. */
    void committed() {
        List<String> gone;
        Message stored;
        synchronized (this) {
            senderDone = true;
            gone = late;
            stored = lateMessage;
        }
        if (gone != null) {
            deliveries.queueLate(room, gone, stored);
        }
        if (!queued.isEmpty() && deliveries.notifies()) {
            deliveries.wakeOutbox();
        }
    }
}
