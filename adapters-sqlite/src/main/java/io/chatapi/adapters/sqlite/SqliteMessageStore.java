package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Message;
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
    private final SqliteDatabase db;

    public SqliteMessageStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public Appended append(MessageDraft draft, DeliveryPlan plan) {
        return db.write(h -> {
            if (draft.clientMsgId() != null) {
                Optional<Message> original = byClientId(h, draft.roomId(), draft.senderId(), draft.clientMsgId());
                if (original.isPresent()) {
                    return new Appended(original.get(), true);
                }
            }
            long seq = h.createQuery("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = :room RETURNING last_seq")
                    .bind("room", draft.roomId()).mapTo(Long.class).findOne()
                    .orElseThrow(() -> ChatException.notFound("room not found"));
            Message stored = new Message(draft.id(), draft.roomId(), draft.senderId(), seq, draft.content(),
                    draft.meta(), draft.createdAt(), null, draft.clientMsgId());
            insert(h, stored);
            DeliveryPlan.Deliveries deliveries = plan.plan(stored);
            deliveries.offlineRecipients().forEach(user -> Queues.queueOffline(h, user, stored));
            for (OutboxItem item : deliveries.webhooks()) {
                Queues.queueWebhook(h, item, stored.createdAt(), stored.createdAt());
            }
            return new Appended(stored, false);
        });
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
                                       ORDER BY seq DESC LIMIT :limit)
                        ORDER BY seq""")
                .bind("room", roomId).bind("seq", uptoSeq).bind("limit", Math.max(limit, 0))
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
            int deleted = h.createUpdate("DELETE FROM messages WHERE room_id = :room AND id = :id")
                    .bind("room", roomId).bind("id", messageId).execute();
            if (deleted == 1) {
                h.createUpdate("DELETE FROM pending_deliveries WHERE message_id = :id AND room_id = :room")
                        .bind("room", roomId).bind("id", messageId).execute();
            }
            return deleted == 1;
        });
    }

    private static void insert(Handle h, Message message) {
        h.createUpdate("""
                        INSERT INTO messages (id, room_id, seq, sender_id, content, meta, created_at, client_msg_id)
                        VALUES (:id, :room, :seq, :sender, :content, :meta, :createdAt, :clientMsgId)""")
                .bind("id", message.id()).bind("room", message.roomId()).bind("seq", message.seq())
                .bind("sender", message.senderId()).bind("content", message.content()).bind("meta", message.meta())
                .bind("createdAt", Columns.nanos(message.createdAt())).bind("clientMsgId", message.clientMsgId())
                .execute();
    }

    private static Optional<Message> byClientId(Handle h, String roomId, String senderId, String clientMsgId) {
        return h.createQuery("""
                        SELECT * FROM messages
                        WHERE room_id = :room AND sender_id = :sender AND client_msg_id = :clientMsgId""")
                .bind("room", roomId).bind("sender", senderId).bind("clientMsgId", clientMsgId)
                .map(SqliteMessageStore::message).findOne();
    }

    private static Message message(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Message(rs.getString("id"), rs.getString("room_id"), rs.getString("sender_id"), rs.getLong("seq"),
                rs.getString("content"), rs.getString("meta"), Columns.instant(rs, "created_at"),
                Columns.instant(rs, "edited_at"), rs.getString("client_msg_id"));
    }
}
