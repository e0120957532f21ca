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

    /** The prepared statement for {@code sql} on the handle's connection, parameters cleared. */
    static PreparedStatement prepared(Handle handle, String sql) {
        Connection connection = handle.getConnection();
        Map<String, PreparedStatement> statements = BY_CONNECTION.computeIfAbsent(connection, c -> new HashMap<>());
        try {
            PreparedStatement statement = statements.get(sql);
            if (statement == null || statement.isClosed()) {
                statement = connection.prepareStatement(sql);
                statements.put(sql, statement);
            } else {
                statement.clearParameters();
            }
            return statement;
        } catch (SQLException e) {
            throw new StoreUnavailableException("the database call failed", e);
        }
    }

    /** Forgets a connection's statements when it closes. */
    static void forget(Connection connection) {
        BY_CONNECTION.remove(connection);
    }
}
