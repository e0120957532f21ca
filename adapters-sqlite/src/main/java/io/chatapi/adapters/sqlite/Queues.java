package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.Message;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Inserts into the offline queue and the webhook outbox; shared by message appends and direct enqueues. */
final class Queues {
    private static final String QUEUE_OFFLINE = """
            INSERT INTO pending_deliveries (user_id, room_id, message_id, seq, attempts, created_at)
            VALUES (?, ?, ?, ?, 0, ?)""";
    private static final String QUEUE_OFFLINE_ONCE = """
            INSERT INTO pending_deliveries (user_id, room_id, message_id, seq, attempts, created_at)
            SELECT :user, :room, :message, :seq, 0, :createdAt
            WHERE EXISTS (SELECT 1 FROM members WHERE room_id = :room AND user_id = :user)
              AND NOT EXISTS (SELECT 1 FROM pending_deliveries
                WHERE user_id = :user AND room_id = :room AND seq = :seq)
              AND NOT EXISTS (SELECT 1 FROM read_positions
                WHERE user_id = :user AND room_id = :room AND seq >= :seq)""";

    private Queues() {
    }

    /**
     * Queues the message for each of {@code userIds}. A room may have thousands of members away, and this runs in
     * the writer's transaction, which every other write waits for: one statement, parsed once per connection, takes
     * every row.
     */
    static void queueOffline(Handle h, List<String> userIds, Message message) {
        if (userIds.isEmpty()) {
            return;
        }
        PreparedStatement insert = StatementCache.prepared(h, QUEUE_OFFLINE);
        try {
            insert.setString(2, message.roomId());
            insert.setString(3, message.id());
            insert.setLong(4, message.seq());
            insert.setLong(5, Columns.nanos(message.createdAt()));
            for (String userId : userIds) {
                insert.setString(1, userId);
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("the database call failed", e);
        }
    }

    /**
     * Queues the message for the user unless it is queued for them already, they are no longer a member of its
     * room, or they have acknowledged it (on another device, say); true when it was queued now.
     */
    static boolean queueOfflineOnce(Handle h, String userId, Message message) {
        return h.createUpdate(QUEUE_OFFLINE_ONCE)
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
