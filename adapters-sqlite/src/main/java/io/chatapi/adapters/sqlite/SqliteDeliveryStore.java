package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.DueWebhook;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.OwedMessage;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.application.port.out.ReadPositions;
import io.chatapi.application.port.out.SharedBody;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.application.port.out.WebhookBody;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Message;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The offline queue, webhook outbox and dead letters in SQLite. Dead letters of the offline queue have kind
 * {@value #OFFLINE}, those of the outbox kind {@value #WEBHOOK}.
 */
public final class SqliteDeliveryStore implements DeliveryStore, ReadPositions {
    /** The dead-letter kind of a socket re-delivery that gave up. */
    public static final String OFFLINE = "offline";
    /** The dead-letter kind of a webhook delivery that gave up. */
    public static final String WEBHOOK = "webhook";

    /**
     * A page of the offline queue in (room, seq, id) order, after the given key. The first page starts after a key
     * before every entry, rather than having no condition, so that every page, the first too, is a range of
     * {@code pending_by_room}.
     */
    private static final String PENDING_PAGE = """
            SELECT * FROM pending_deliveries WHERE (room_id, seq, id) > (:room, :seq, :id)
            ORDER BY room_id, seq, id LIMIT :limit""";
    /** Sorts before every room id, none of which is empty. */
    private static final String BEFORE_EVERY_ROOM = "";
    /** The same order for one user: a range of {@code pending_by_user}. */
    private static final String PENDING_FOR = """
            SELECT * FROM pending_deliveries WHERE user_id = :user AND (room_id, seq, id) > (:room, :seq, :id)
            ORDER BY room_id, seq, id LIMIT :limit""";
    private static final String REMOVE_PENDING = "DELETE FROM pending_deliveries WHERE id = :id";
    /**
     * An entry its user has read since it was queued (a receipt's position covers it): owed nothing, so it is
     * deleted rather than counted, and never becomes a dead letter; a long receipt's clear may not have reached it
     * yet. Run for every entry a pass counts, in the writer's transaction: parsed once per connection.
     */
    private static final String REMOVE_IF_READ = """
            DELETE FROM pending_deliveries WHERE id = ? AND EXISTS (
                SELECT 1 FROM read_positions
                WHERE read_positions.user_id = pending_deliveries.user_id
                  AND read_positions.room_id = pending_deliveries.room_id
                  AND read_positions.seq >= pending_deliveries.seq)""";
    /** One attempt more, or {@code :least} when that is more. */
    private static final String COUNT_ATTEMPT =
            "UPDATE pending_deliveries SET attempts = max(attempts + 1, :least) WHERE id = :id RETURNING *";
    /**
     * Outbox entries due, the earliest due first (ties in the order they were queued): a range of
     * {@code webhook_outbox_by_due}, read in its order, however many entries wait for a later retry. Each comes with
     * the body it shares with others, if any, and for a {@code message.offline} whether its recipient has read the
     * message since (one lookup of the {@code read_positions} key).
     */
    private static final String DUE_WEBHOOKS = """
            SELECT webhook_outbox.*, webhook_bodies.head, webhook_bodies.tail,
                   webhook_outbox.kind = :offline AND EXISTS (
                       SELECT 1 FROM read_positions
                       WHERE read_positions.user_id = webhook_outbox.user_id
                         AND read_positions.room_id = webhook_outbox.room_id
                         AND read_positions.seq >= webhook_outbox.seq) AS read
            FROM webhook_outbox LEFT JOIN webhook_bodies ON webhook_bodies.id = webhook_outbox.body_id
            WHERE next_attempt_at <= :now
            ORDER BY next_attempt_at, webhook_outbox.id LIMIT :limit""";
    private static final String WEBHOOK_DELIVERED = "DELETE FROM webhook_outbox WHERE id = :id";
    private static final String WEBHOOK_RETRY = """
            UPDATE webhook_outbox SET attempts = :attempts, next_attempt_at = :next, last_attempt_at = :at
            WHERE id = :id""";
    private static final String WEBHOOK_GIVEN_UP = "DELETE FROM webhook_outbox WHERE id = :id RETURNING *";

    private final SqliteDatabase db;

    public SqliteDeliveryStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public List<PendingDelivery> pending(PendingDelivery after, int limit) {
        String room = after == null ? BEFORE_EVERY_ROOM : after.roomId();
        long seq = after == null ? 0 : after.seq();
        long id = after == null ? 0 : after.id();
        return db.read(h -> h.createQuery(PENDING_PAGE)
                .bind("room", room).bind("seq", seq).bind("id", id)
                .bind("limit", Math.max(limit, 0)).map(SqliteDeliveryStore::pendingDelivery).list());
    }

    @Override
    public List<PendingDelivery> pendingFor(String userId, PendingDelivery after, int limit) {
        String room = after == null ? BEFORE_EVERY_ROOM : after.roomId();
        long seq = after == null ? 0 : after.seq();
        long id = after == null ? 0 : after.id();
        return db.read(h -> h.createQuery(PENDING_FOR).bind("user", userId)
                .bind("room", room).bind("seq", seq).bind("id", id)
                .bind("limit", Math.max(limit, 0)).map(SqliteDeliveryStore::pendingDelivery).list());
    }

    @Override
    public void removePending(List<Long> ids) {
        if (ids.isEmpty()) {
            return;
        }
        db.write(h -> {
            PreparedBatch batch = h.prepareBatch(REMOVE_PENDING);
            ids.forEach(id -> batch.bind("id", id).add());
            return batch.execute();
        });
    }

    @Override
    public void clearUpTo(String userId, String roomId, long uptoSeq) {
        db.deleteInChunks(h -> Queues.clearChunk(h, userId, roomId, uptoSeq));
    }

    /**
     * The position moves in one write with the first {@link SqliteDatabase#DELETE_CHUNK} entries; a longer queue
     * is cleared by the writes that follow, before this returns.
     */
    @Override
    public boolean acknowledge(String userId, String roomId, long seq) {
        int cleared = db.write(h -> {
            int moved = h.createUpdate("""
                            INSERT INTO read_positions (user_id, room_id, seq) VALUES (:user, :room, :seq)
                            ON CONFLICT (user_id, room_id) DO UPDATE SET seq = excluded.seq
                            WHERE excluded.seq > read_positions.seq""")
                    .bind("user", userId).bind("room", roomId).bind("seq", seq).execute();
            return moved == 0 ? -1 : Queues.clearChunk(h, userId, roomId, seq);
        });
        if (cleared == SqliteDatabase.DELETE_CHUNK) {
            clearUpTo(userId, roomId, seq);
        }
        return cleared >= 0;
    }

    @Override
    public Map<String, Long> ofUser(String userId, Collection<String> roomIds) {
        return positions("SELECT room_id AS id, seq FROM read_positions WHERE user_id = :one AND room_id IN (<many>)",
                userId, roomIds);
    }

    @Override
    public Map<String, Long> inRoom(String roomId, Collection<String> userIds) {
        return positions("SELECT user_id AS id, seq FROM read_positions WHERE user_id IN (<many>) AND room_id = :one",
                roomId, userIds);
    }

    /** The positions {@code sql} reads, by its {@code id}: each a lookup of the positions' primary key. */
    private Map<String, Long> positions(String sql, String one, Collection<String> many) {
        if (many.isEmpty()) {
            return Map.of();
        }
        return db.read(h -> h.createQuery(sql).bind("one", one).bindList("many", List.copyOf(many))
                .reduceRows(new HashMap<>(), (positions, row) -> {
                    positions.put(row.getColumn("id", String.class), row.getColumn("seq", Long.class));
                    return positions;
                }));
    }

    @Override
    public int recordAttempts(List<Long> ids, int maxAttempts, Instant at) {
        return countAttempts(ids, maxAttempts, 0, at);
    }

    @Override
    public int expire(List<Long> ids, int maxAttempts, Instant at) {
        return countAttempts(ids, maxAttempts, maxAttempts, at);
    }

    /**
     * One attempt more on each entry, {@code least} at least; those at {@code maxAttempts} become dead letters. Those
     * their user has read since are deleted instead ({@link #REMOVE_IF_READ}).
     */
    private int countAttempts(List<Long> ids, int maxAttempts, int least, Instant at) {
        if (ids.isEmpty()) {
            return 0;
        }
        return db.write(h -> {
            PreparedStatement removeIfRead = StatementCache.prepared(h, REMOVE_IF_READ);
            int dead = 0;
            for (long id : ids) {
                if (removed(removeIfRead, id)) {
                    continue;
                }
                PendingDelivery entry = h.createQuery(COUNT_ATTEMPT).bind("id", id).bind("least", least)
                        .map(SqliteDeliveryStore::pendingDelivery).findOne().orElse(null);
                if (entry != null && entry.attempts() >= maxAttempts) {
                    h.createUpdate(REMOVE_PENDING).bind("id", id).execute();
                    insertDeadLetter(h, new DeadLetter(0, OFFLINE, entry.userId(), entry.roomId(),
                            entry.messageId(), entry.seq(), entry.attempts(), entry.createdAt(), at, null, null));
                    dead++;
                }
            }
            return dead;
        });
    }

    private static boolean removed(PreparedStatement removeIfRead, long id) {
        try {
            removeIfRead.setLong(1, id);
            return removeIfRead.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreUnavailableException("the database call failed", e);
        }
    }

    @Override
    public void queueOffline(Message stored, DeliveryPlan.Deliveries deliveries) {
        queueOffline(List.of(new OwedMessage(stored, deliveries)));
    }

    @Override
    public void queueOffline(List<OwedMessage> owed) {
        db.write(h -> {
            owed.forEach(message -> queueOwed(h, message.stored(), message.deliveries()));
            return null;
        });
    }

    /** Queues one message for those recipients who do not have it queued yet, with their webhooks. */
    private static void queueOwed(Handle h, Message stored, DeliveryPlan.Deliveries deliveries) {
        boolean kept = h.createQuery("SELECT 1 FROM messages WHERE room_id = :room AND id = :id")
                .bind("room", stored.roomId()).bind("id", stored.id()).mapTo(Integer.class).findOne().isPresent();
        if (!kept) {
            return; // deleted meanwhile: its sender took it back
        }
        Set<String> queued = new HashSet<>();
        for (String user : deliveries.offlineRecipients()) {
            if (Queues.queueOfflineOnce(h, user, stored)) {
                queued.add(user);
            }
        }
        List<OutboxItem> webhooks = deliveries.webhooks().stream().filter(item -> queued.contains(item.userId()))
                .toList();
        Queues.queueWebhooks(h, webhooks, stored.createdAt(), stored.createdAt());
    }

    /** Queues a webhook delivery due at {@code dueAt}, which is also recorded as its creation time. */
    @Override
    public void enqueueWebhook(OutboxItem item, Instant dueAt) {
        db.write(h -> {
            Queues.queueWebhooks(h, List.of(item), dueAt, dueAt);
            return null;
        });
    }

    /** Entries that share a body share one {@link SharedBody} here too, read once. */
    @Override
    public List<DueWebhook> dueWebhooks(Instant now, int limit) {
        Map<Long, SharedBody> shared = new HashMap<>();
        return db.read(h -> h.createQuery(DUE_WEBHOOKS)
                .bind("now", Columns.nanos(now)).bind("limit", Math.max(limit, 0))
                .bind("offline", OutboxItem.MESSAGE_OFFLINE)
                .map((rs, ctx) -> dueWebhook(rs, shared)).list());
    }

    @Override
    public void webhookDelivered(long id) {
        db.write(h -> h.createUpdate(WEBHOOK_DELIVERED).bind("id", id).execute());
    }

    @Override
    public void webhookFailed(long id, int attempts, Instant nextAttemptAt, boolean dead, Instant at) {
        db.write(h -> {
            if (!dead) {
                return h.createUpdate(WEBHOOK_RETRY).bind("id", id).bind("attempts", attempts)
                        .bind("next", Columns.nanos(nextAttemptAt)).bind("at", Columns.nanos(at)).execute();
            }
            h.createQuery(WEBHOOK_GIVEN_UP).bind("id", id)
                    .map((rs, ctx) -> new DeadLetter(0, WEBHOOK, rs.getString("user_id"), rs.getString("room_id"),
                            rs.getString("message_id"), rs.getLong("seq"), attempts, Columns.instant(rs, "created_at"),
                            at, rs.getString("kind"), rs.getString("webhook_id")))
                    .findOne().ifPresent(letter -> insertDeadLetter(h, letter));
            return 0;
        });
    }

    @Override
    public List<DeadLetter> deadLetters(int limit) {
        return db.read(h -> h.createQuery("SELECT * FROM dead_letters ORDER BY id DESC LIMIT :limit")
                .bind("limit", Math.max(limit, 0)).map(SqliteDeliveryStore::deadLetter).list());
    }

    /** Writes and deletes a probe row through the writer, so a full disk or a broken file shows. */
    @Override
    public boolean writable() {
        try {
            return db.write(h -> {
                h.execute("INSERT OR REPLACE INTO health_probe (id) VALUES (1)");
                h.execute("DELETE FROM health_probe");
                return true;
            });
        } catch (StoreUnavailableException e) {
            return false;
        }
    }

    private static void insertDeadLetter(Handle h, DeadLetter letter) {
        h.createUpdate("""
                        INSERT INTO dead_letters (kind, user_id, room_id, message_id, seq, attempts, created_at,
                            last_attempt_at, event, webhook_id)
                        VALUES (:kind, :user, :room, :message, :seq, :attempts, :createdAt, :lastAttemptAt, :event,
                            :webhookId)""")
                .bind("kind", letter.kind()).bind("user", letter.userId()).bind("room", letter.roomId())
                .bind("message", letter.messageId()).bind("seq", letter.seq()).bind("attempts", letter.attempts())
                .bind("createdAt", Columns.nanos(letter.createdAt()))
                .bind("lastAttemptAt", Columns.nanos(letter.lastAttemptAt()))
                .bind("event", letter.event()).bind("webhookId", letter.webhookId()).execute();
    }

    private static PendingDelivery pendingDelivery(ResultSet rs, StatementContext ctx) throws SQLException {
        return new PendingDelivery(rs.getLong("id"), rs.getString("user_id"), rs.getString("room_id"),
                rs.getString("message_id"), rs.getLong("seq"), rs.getInt("attempts"),
                Columns.instant(rs, "created_at"));
    }

    private static DueWebhook dueWebhook(ResultSet rs, Map<Long, SharedBody> shared) throws SQLException {
        long bodyId = rs.getLong("body_id");
        WebhookBody body = rs.wasNull() ? WebhookBody.whole(rs.getString("body"))
                : new WebhookBody(shared.computeIfAbsent(bodyId, id -> sharedBody(rs)), rs.getString("body"));
        OutboxItem item = new OutboxItem(rs.getString("webhook_id"), rs.getString("kind"), rs.getString("user_id"),
                rs.getString("room_id"), rs.getString("message_id"), rs.getLong("seq"), body);
        return new DueWebhook(rs.getLong("id"), item, rs.getInt("attempts"), rs.getBoolean("read"));
    }

    private static SharedBody sharedBody(ResultSet rs) {
        try {
            return new SharedBody(rs.getString("head"), rs.getString("tail"));
        } catch (SQLException e) {
            throw new StoreUnavailableException("the database call failed", e);
        }
    }

    private static DeadLetter deadLetter(ResultSet rs, StatementContext ctx) throws SQLException {
        return new DeadLetter(rs.getLong("id"), rs.getString("kind"), rs.getString("user_id"), rs.getString("room_id"),
                rs.getString("message_id"), rs.getLong("seq"), rs.getInt("attempts"), Columns.instant(rs, "created_at"),
                Columns.instant(rs, "last_attempt_at"), rs.getString("event"), rs.getString("webhook_id"));
    }
}
