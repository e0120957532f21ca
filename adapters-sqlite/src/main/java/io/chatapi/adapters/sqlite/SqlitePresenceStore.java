package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.PresenceStore;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The users online at the last graceful stop, in one table that each start reads and empties. */
public final class SqlitePresenceStore implements PresenceStore {
    private record Row(String user, Instant at) {
    }

    private final SqliteDatabase db;

    public SqlitePresenceStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public void keepOnline(Collection<String> userIds, Instant at) {
        Set<String> users = new TreeSet<>(userIds);
        long keptAt = Columns.nanos(at);
        db.write(h -> {
            h.execute("DELETE FROM presence_kept");
            if (!users.isEmpty()) {
                PreparedBatch batch = h.prepareBatch("INSERT INTO presence_kept (user_id, kept_at) VALUES (:user, :at)");
                users.forEach(user -> batch.bind("user", user).bind("at", keptAt).add());
                batch.execute();
            }
            return null;
        });
    }

    @Override
    public Optional<Kept> takeOnline() {
        List<Row> rows = db.write(h -> {
            List<Row> kept = h.createQuery("SELECT user_id, kept_at FROM presence_kept")
                    .map((rs, ctx) -> new Row(rs.getString("user_id"), Columns.instant(rs, "kept_at"))).list();
            h.execute("DELETE FROM presence_kept");
            return kept;
        });
        return rows.stream().map(Row::at).min(Comparator.naturalOrder())
                .map(at -> new Kept(rows.stream().map(Row::user).collect(Collectors.toSet()), at));
    }
}
