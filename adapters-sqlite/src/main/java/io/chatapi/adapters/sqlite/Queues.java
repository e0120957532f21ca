package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.domain.Message;
import java.time.Instant;
import org.jdbi.v3.core.Handle;

/** Inserts into the offline queue and the webhook outbox; shared by message appends and direct enqueues. */
final class Queues {
    private Queues() {
    }

    static void queueOffline(Handle h, String userId, Message message) {
        h.createUpdate("""
                        INSERT INTO pending_deliveries (user_id, room_id, message_id, seq, attempts, created_at)
                        VALUES (:user, :room, :message, :seq, 0, :createdAt)""")
                .bind("user", userId).bind("room", message.roomId()).bind("message", message.id())
                .bind("seq", message.seq()).bind("createdAt", Columns.nanos(message.createdAt())).execute();
    }

    /**
     * Queues the message for the user unless it is queued for them already, they are no longer a member of its
     * room, or they have acknowledged it (on another device, say); true when it was queued now.
     */
    static boolean queueOfflineOnce(Handle h, String userId, Message message) {
        return h.createUpdate("""
                        INSERT INTO pending_deliveries (user_id, room_id, message_id, seq, attempts, created_at)
                        SELECT :user, :room, :message, :seq, 0, :createdAt
                        WHERE EXISTS (SELECT 1 FROM members WHERE room_id = :room AND user_id = :user)
                          AND NOT EXISTS (SELECT 1 FROM pending_deliveries
                            WHERE user_id = :user AND room_id = :room AND seq = :seq)
                          AND NOT EXISTS (SELECT 1 FROM read_positions
                            WHERE user_id = :user AND room_id = :room AND seq >= :seq)""")
                .bind("user", userId).bind("room", message.roomId()).bind("message", message.id())
                .bind("seq", message.seq()).bind("createdAt", Columns.nanos(message.createdAt())).execute() > 0;
    }

    static void queueWebhook(Handle h, OutboxItem item, Instant createdAt, Instant dueAt) {
        h.createUpdate("""
                        INSERT INTO webhook_outbox (webhook_id, kind, user_id, room_id, message_id, seq, body, attempts,
                            next_attempt_at, created_at)
                        VALUES (:webhook, :kind, :user, :room, :message, :seq, :body, 0, :dueAt, :createdAt)""")
                .bind("webhook", item.webhookId()).bind("kind", item.kind()).bind("user", item.userId())
                .bind("room", item.roomId()).bind("message", item.messageId()).bind("seq", item.seq())
                .bind("body", item.body()).bind("dueAt", Columns.nanos(dueAt))
                .bind("createdAt", Columns.nanos(createdAt)).execute();
    }
}
