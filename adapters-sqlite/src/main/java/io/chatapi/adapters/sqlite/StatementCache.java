package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * Prepared statements kept per connection for the statements run on every message, so SQLite parses them
 * once. A connection is only ever used by its own thread (the writer, or one reader), so each connection's
 * statements are too; they are closed with the connection.
 */
final class StatementCache {
    private static final Map<Connection, Map<String, PreparedStatement>> BY_CONNECTION = new ConcurrentHashMap<>();

    private StatementCache() {
    }

    /**
     * The prepared statement for {@code sql} on the handle's connection, parameters cleared. A kept statement
     * that no longer works is prepared again: sqlite-jdbc finalises a statement whose run failed (a full disk,
     * an I/O error) while it still reports itself open, and reusing it would fail every later call.
     */
    static PreparedStatement prepared(Handle handle, String sql) {
        Connection connection = handle.getConnection();
        Map<String, PreparedStatement> statements = BY_CONNECTION.computeIfAbsent(connection, c -> new HashMap<>());
        PreparedStatement kept = statements.remove(sql);
        try {
            if (kept != null && !kept.isClosed()) {
                try {
                    kept.clearParameters();
                    statements.put(sql, kept);
                    return kept;
                } catch (SQLException e) {
                    closeQuietly(kept);
                }
            }
            PreparedStatement statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
            return statement;
        } catch (SQLException e) {
            throw new StoreUnavailableException("the database call failed", e);
        }
    }

    private static void closeQuietly(PreparedStatement statement) {
        try {
            statement.close();
        } catch (SQLException e) {
            // it is replaced either way
        }
    }

    /** Forgets a connection's statements when it closes. */
    static void forget(Connection connection) {
        BY_CONNECTION.remove(connection);
    }
}
