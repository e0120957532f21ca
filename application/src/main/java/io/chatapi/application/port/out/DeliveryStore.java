package io.chatapi.application.port.out;

import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Message;
import java.time.Instant;
import java.util.List;

/**
 * The durable offline queue, the webhook outbox and the dead letters. Writes are durable when a method
 * returns; may throw {@link StoreUnavailableException}. Thread-safe.
 */
public interface DeliveryStore {
    /** Queued socket re-deliveries, oldest first (by room, then seq, then id), at most {@code limit}. */
    default List<PendingDelivery> pending(int limit) {
        return pending(null, limit);
    }

    /** The same order, starting after {@code after} (from the start when null): the next page. */
    List<PendingDelivery> pending(PendingDelivery after, int limit);

    /**
     * Queued socket re-deliveries of one user, by room then seq (then id), starting after {@code after} (from the
     * start when null), at most {@code limit}.
     */
    List<PendingDelivery> pendingFor(String userId, PendingDelivery after, int limit);

    /** Every queued socket re-delivery of one user, by room then seq. */
    default List<PendingDelivery> pendingFor(String userId) {
        return pendingFor(userId, null, Integer.MAX_VALUE);
    }

    /** Removes entries that were delivered. */
    void removePending(List<Long> ids);

    /** Removes a user's entries of a room with {@code seq <= uptoSeq} (a resume replayed them). */
    void clearUpTo(String userId, String roomId, long uptoSeq);

    /**
     * A read receipt: moves the user's acknowledged position in the room up to {@code seq} and removes their
     * entries of the room up to it, both before it returns (a store may move the position with the first entries
     * and remove a long queue's rest in writes after it: a crash between them leaves entries that are re-delivered
     * at least once). False, with nothing written, when the stored position is already at or past {@code seq}.
     * Positions are durable: they outlive a restart.
     */
    boolean acknowledge(String userId, String roomId, long seq);

    /**
     * Counts one failed attempt on each entry; entries reaching {@code maxAttempts} become dead letters
     * (kind {@code offline}). An entry its user has read since (their read position covers it: a receipt whose
     * clearing has not reached it yet) is removed instead, never counted. Returns how many became dead letters.
     */
    int recordAttempts(List<Long> ids, int maxAttempts, Instant at);

    /**
     * Makes dead letters of entries whose users have been away as long as {@code maxAttempts} passes take, though
     * fewer passes came to them (a queue longer than a pass reads): each is recorded with {@code maxAttempts}
     * attempts at least. Entries no longer queued are skipped, and entries read since are removed, as
     * {@link #recordAttempts} does. Returns how many became dead letters.
     */
    default int expire(List<Long> ids, int maxAttempts, Instant at) {
        int dead = 0;
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            dead += recordAttempts(ids, maxAttempts, at);
        }
        return dead;
    }

    /**
     * Queues a message already stored for more recipients, with their webhooks, in one write: members whose last
     * connection closed after the message's own transaction found them online, or whose connection closed before
     * it wrote the message. Nothing is queued when the message was deleted meanwhile, nothing for a recipient
     * who is no longer a member of its room (removed or gone since), nothing for one who has acknowledged it
     * (on another device, say), and nothing for one who has the message queued already: neither a second entry
     * nor a second webhook (matched by user).
     */
    void queueOffline(Message stored, DeliveryPlan.Deliveries deliveries);

    /** {@link #queueOffline(Message, DeliveryPlan.Deliveries)} for several messages, in one write where it can. */
    default void queueOffline(List<OwedMessage> owed) {
        for (OwedMessage message : owed) {
            queueOffline(message.stored(), message.deliveries());
        }
    }

    /** Queues a webhook delivery that is not tied to a new message (for example a handoff change). */
    void enqueueWebhook(OutboxItem item, Instant dueAt);

    /**
     * Outbox entries due at {@code now}, at most {@code limit}: those due the longest first, and of those due at the
     * same time the first queued first.
     */
    List<DueWebhook> dueWebhooks(Instant now, int limit);

    void webhookDelivered(long id);

    /** Records a failed attempt: retry at {@code nextAttemptAt}, or, when {@code dead}, move to dead letters. */
    void webhookFailed(long id, int attempts, Instant nextAttemptAt, boolean dead, Instant at);

    /** Dead letters, newest first. */
    List<DeadLetter> deadLetters(int limit);

    /** Writes and rolls back a probe row: true when the database can take a write. */
    boolean writable();
}
