package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.OwedReplyStore;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The bot replies owed since the last graceful stop, in one table that each start reads and empties. */
public final class SqliteOwedReplyStore implements OwedReplyStore {
    private final SqliteDatabase db;

    public SqliteOwedReplyStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public void keep(Collection<OwedReply> replies) {
        if (replies.isEmpty()) {
            return;
        }
        List<OwedReply> rows = List.copyOf(replies);
        db.write(h -> {
            PreparedBatch batch = h.prepareBatch("INSERT OR IGNORE INTO owed_replies (room_id, bot_id, trigger_id,"
                    + " owed_at) VALUES (:room, :bot, :trigger, :at)");
            rows.forEach(owed -> batch.bind("room", owed.roomId()).bind("bot", owed.botId())
                    .bind("trigger", owed.triggerId()).bind("at", Columns.nanos(owed.owedAt())).add());
            batch.execute();
            return null;
        });
    }

    /** Reads first, so that a start with nothing owed (the usual case) puts no write before the writer's others. */
    @Override
    public List<OwedReply> take(int max) {
        if (db.read(h -> h.createQuery("SELECT count(*) FROM owed_replies").mapTo(Long.class).one()) == 0) {
            return List.of();
        }
        return db.write(h -> {
            List<OwedReply> owed = h.createQuery("SELECT room_id, bot_id, trigger_id, owed_at FROM owed_replies"
                            + " ORDER BY owed_at, room_id, bot_id, trigger_id LIMIT :max")
                    .bind("max", max)
                    .map((rs, ctx) -> new OwedReply(rs.getString("room_id"), rs.getString("bot_id"),
                            rs.getString("trigger_id"), Columns.instant(rs, "owed_at"))).list();
            if (!owed.isEmpty()) {
                PreparedBatch batch = h.prepareBatch("DELETE FROM owed_replies"
                        + " WHERE room_id = :room AND bot_id = :bot AND trigger_id = :trigger");
                owed.forEach(reply -> batch.bind("room", reply.roomId()).bind("bot", reply.botId())
                        .bind("trigger", reply.triggerId()).add());
                batch.execute();
            }
            return owed;
        });
    }
}
