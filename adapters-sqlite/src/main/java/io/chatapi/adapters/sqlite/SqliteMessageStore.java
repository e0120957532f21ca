package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Messages in SQLite. An append takes the room's next seq, stores the message and queues what the delivery
 * plan asks for, all in the writer's transaction.
 */
public final class SqliteMessageStore implements MessageStore {
    private static final String DELETE_QUEUED =
            "DELETE FROM pending_deliveries WHERE message_id = :id AND room_id = :room";
    /** A message's notifications not yet sent, found by {@code webhook_outbox_by_message}. */
    private static final String DELETE_NOTIFICATIONS =
            "DELETE FROM webhook_outbox WHERE message_id = :id AND room_id = :room AND kind = :kind";

    private final SqliteDatabase db;

    public SqliteMessageStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public Appended append(MessageDraft draft, DeliveryPlan plan) {
        return db.write(h -> append(h, draft, plan));
    }

    /** An append inside the caller's write: the room's next seq, the message, what {@code plan} queues. */
    static Appended append(Handle h, MessageDraft draft, DeliveryPlan plan) {
        if (draft.clientMsgId() != null) {
            Optional<Message> deleted = deletedByClientId(h, draft.roomId(), draft.senderId(), draft.clientMsgId());
            if (deleted.isPresent()) {
                return new Appended(deleted.get(), true);
            }
        }
        long seq = nextSeq(h, draft.roomId());
        Message stored = new Message(draft.id(), draft.roomId(), draft.senderId(), seq, draft.content(),
                draft.meta(), draft.createdAt(), null, draft.clientMsgId());
        if (!insert(h, stored)) {
            // The client id was used before by this sender in this room: give the seq back, answer the original.
            undoSeq(h, draft.roomId());
            return byClientId(h, draft.roomId(), draft.senderId(), draft.clientMsgId())
                    .map(original -> new Appended(original, true))
                    .orElseThrow(() -> new StoreUnavailableException("message insert refused", null));
        }
        DeliveryPlan.Deliveries deliveries = plan.plan(stored);
        Queues.queueOffline(h, deliveries.offlineRecipients(), stored);
        Queues.queueWebhooks(h, deliveries.webhooks(), stored.createdAt(), stored.createdAt());
        return new Appended(stored, false);
    }

    private static long nextSeq(Handle h, String roomId) {
        PreparedStatement bump = StatementCache.prepared(h,
                "UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq");
        try {
            bump.setString(1, roomId);
            try (ResultSet rs = bump.executeQuery()) {
                if (!rs.next()) {
                    throw ChatException.notFound("room not found");
                }
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("the database call failed", e);
        }
    }

    private static void undoSeq(Handle h, String roomId) {
        h.createUpdate("UPDATE rooms SET last_seq = last_seq - 1 WHERE id = :room").bind("room", roomId).execute();
    }

    @Override
    public Optional<Message> find(String roomId, String messageId) {
        return db.read(h -> h.createQuery("SELECT * FROM messages WHERE room_id = :room AND id = :id")
                .bind("room", roomId).bind("id", messageId).map(SqliteMessageStore::message).findOne());
    }

    @Override
    public Optional<Message> findByClientId(String roomId, String senderId, String clientMsgId) {
        return db.read(h -> byClientId(h, roomId, senderId, clientMsgId));
    }

    @Override
    public List<Message> after(String roomId, long afterSeq, int limit) {
        return db.read(h -> h.createQuery(
                        "SELECT * FROM messages WHERE room_id = :room AND seq > :seq ORDER BY seq LIMIT :limit")
                .bind("room", roomId).bind("seq", afterSeq).bind("limit", Math.max(limit, 0))
                .map(SqliteMessageStore::message).list());
    }

    @Override
    public List<Message> window(String roomId, long uptoSeq, int limit) {
        return db.read(h -> h.createQuery("""
                        SELECT * FROM (SELECT * FROM messages WHERE room_id = :room AND seq <= :seq
                                           AND sender_id <> :system
                                       ORDER BY seq DESC LIMIT :limit)
                        ORDER BY seq""")
                .bind("room", roomId).bind("seq", uptoSeq).bind("system", Principal.SYSTEM)
                .bind("limit", Math.max(limit, 0))
                .map(SqliteMessageStore::message).list());
    }

    @Override
    public Optional<Message> edit(String roomId, String messageId, String content, Instant editedAt) {
        return db.write(h -> h.createQuery("""
                        UPDATE messages SET content = :content, edited_at = :editedAt
                        WHERE room_id = :room AND id = :id RETURNING *""")
                .bind("room", roomId).bind("id", messageId).bind("content", content)
                .bind("editedAt", Columns.nanos(editedAt)).map(SqliteMessageStore::message).findOne());
    }

    /** Deletes a message and its queued offline deliveries; the room's seq counter is left as it is. */
    @Override
    public boolean delete(String roomId, String messageId) {
        return db.write(h -> {
            // its client id stays taken: a retried send must not store the deleted text again
            h.createUpdate("""
                            INSERT OR IGNORE INTO deleted_client_ids
                                (room_id, sender_id, client_msg_id, message_id, seq, created_at)
                            SELECT room_id, sender_id, client_msg_id, id, seq, created_at FROM messages
                            WHERE room_id = :room AND id = :id AND client_msg_id IS NOT NULL""")
                    .bind("room", roomId).bind("id", messageId).execute();
            int deleted = h.createUpdate("DELETE FROM messages WHERE room_id = :room AND id = :id")
                    .bind("room", roomId).bind("id", messageId).execute();
            if (deleted == 1) {
                h.createUpdate(DELETE_QUEUED).bind("room", roomId).bind("id", messageId).execute();
                // a push for a deleted message would show what its sender took back
                h.createUpdate(DELETE_NOTIFICATIONS).bind("room", roomId).bind("id", messageId)
                        .bind("kind", OutboxItem.MESSAGE_OFFLINE).execute();
            }
            return deleted == 1;
        });
    }

    /** Inserts the message; false when its client id is already taken (nothing inserted). */
    private static boolean insert(Handle h, Message message) {
        PreparedStatement insert = StatementCache.prepared(h, """
                INSERT OR IGNORE INTO messages (id, room_id, seq, sender_id, content, meta, created_at, client_msg_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");
        try {
            insert.setString(1, message.id());
            insert.setString(2, message.roomId());
            insert.setLong(3, message.seq());
            insert.setString(4, message.senderId());
            insert.setString(5, message.content());
            insert.setString(6, message.meta());
            insert.setLong(7, Columns.nanos(message.createdAt()));
            insert.setString(8, message.clientMsgId());
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreUnavailableException("the database call failed", e);
        }
    }

    private static Optional<Message> byClientId(Handle h, String roomId, String senderId, String clientMsgId) {
        Optional<Message> stored = h.createQuery("""
                        SELECT * FROM messages
                        WHERE room_id = :room AND sender_id = :sender AND client_msg_id = :clientMsgId""")
                .bind("room", roomId).bind("sender", senderId).bind("clientMsgId", clientMsgId)
                .map(SqliteMessageStore::message).findOne();
        return stored.isPresent() ? stored : deletedByClientId(h, roomId, senderId, clientMsgId);
    }

    /** What is left of a deleted message sent with this client id: its id, seq and time, with no text. */
    private static Optional<Message> deletedByClientId(Handle h, String roomId, String senderId, String clientMsgId) {
        PreparedStatement query = StatementCache.prepared(h, """
                SELECT message_id, seq, created_at FROM deleted_client_ids
                WHERE room_id = ? AND sender_id = ? AND client_msg_id = ?""");
        try {
            query.setString(1, roomId);
            query.setString(2, senderId);
            query.setString(3, clientMsgId);
            try (ResultSet rs = query.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(Message.deleted(rs.getString(1), roomId, senderId, rs.getLong(2),
                        Columns.instant(rs, "created_at"), clientMsgId));
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("the database call failed", e);
        }
    }

    private static Message message(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Message(rs.getString("id"), rs.getString("room_id"), rs.getString("sender_id"), rs.getLong("seq"),
                rs.getString("content"), rs.getString("meta"), Columns.instant(rs, "created_at"),
                Columns.instant(rs, "edited_at"), rs.getString("client_msg_id"));
    }
}
