package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.SharedBody;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.Message;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Inserts into the offline queue and the webhook outbox, shared by message appends and direct enqueues, and the
 * chunk by which a user's queue of a room is cleared, shared by receipts, resumes and removals.
 */
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
    private static final String QUEUE_WEBHOOK = """
            INSERT INTO webhook_outbox (webhook_id, kind, user_id, room_id, message_id, seq, body, body_id, attempts,
                next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)""";
    private static final String STORE_SHARED_BODY =
            "INSERT INTO webhook_bodies (head, tail) VALUES (?, ?) RETURNING id";
    /**
     * A user's entries of a room up to a seq, at most {@code :limit} of them: a user away from busy rooms may have
     * hundreds of thousands ({@link SqliteDatabase#deleteInChunks}).
     */
    private static final String CLEAR_CHUNK = """
            DELETE FROM pending_deliveries WHERE id IN (
                SELECT id FROM pending_deliveries WHERE user_id = :user AND room_id = :room AND seq <= :seq
                LIMIT :limit)""";

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
     * Deletes up to {@link SqliteDatabase#DELETE_CHUNK} of the user's entries of the room with a seq up to
     * {@code uptoSeq}; returns how many.
     */
    static int clearChunk(Handle h, String userId, String roomId, long uptoSeq) {
        return h.createUpdate(CLEAR_CHUNK).bind("user", userId).bind("room", roomId).bind("seq", uptoSeq)
                .bind("limit", SqliteDatabase.DELETE_CHUNK).execute();
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

    /**
     * Puts the items in the outbox, due at {@code dueAt}. A body shared by several items (a message's notifications
     * to its members away) is stored once, in {@code webhook_bodies}, and each row holds its own part.
     */
    static void queueWebhooks(Handle h, List<OutboxItem> items, Instant createdAt, Instant dueAt) {
        if (items.isEmpty()) {
            return;
        }
        Map<SharedBody, Long> stored = new HashMap<>();
        PreparedStatement insert = StatementCache.prepared(h, QUEUE_WEBHOOK);
        try {
            for (OutboxItem item : items) {
                SharedBody shared = item.body().shared();
                insert.setString(1, item.webhookId());
                insert.setString(2, item.kind());
                insert.setString(3, item.userId());
                insert.setString(4, item.roomId());
                insert.setString(5, item.messageId());
                insert.setLong(6, item.seq());
                insert.setString(7, item.body().own());
                if (shared.equals(SharedBody.NONE)) {
                    insert.setNull(8, Types.INTEGER);
                } else {
                    insert.setLong(8, stored.computeIfAbsent(shared, body -> storeShared(h, body)));
                }
                insert.setLong(9, Columns.nanos(dueAt));
                insert.setLong(10, Columns.nanos(createdAt));
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("the database call failed", e);
        }
    }

    private static long storeShared(Handle h, SharedBody body) {
        PreparedStatement insert = StatementCache.prepared(h, STORE_SHARED_BODY);
        try {
            insert.setString(1, body.head());
            insert.setString(2, body.tail());
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("the database call failed", e);
        }
    }
}
