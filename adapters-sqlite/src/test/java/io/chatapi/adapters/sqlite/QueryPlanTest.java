package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline queue and the webhook outbox grow to millions of rows, and most statements on them run on the
 * writer, which every send waits for: each one that reads them must search an index, never read a whole table
 * or sort what it found. The statements are the SQL constants of the store's classes, so one added later is
 * checked too.
 */
class QueryPlanTest {
    private static final List<Class<?>> STATEMENT_HOLDERS =
            List.of(Queues.class, SqliteDeliveryStore.class, SqliteMessageStore.class, SqliteRoomStore.class);
    private static final Pattern QUEUE_TABLES = Pattern.compile("\\b(pending_deliveries|webhook_outbox)\\b");

    @TempDir
    Path dir;

    @Test
    void everyStatementThatReadsTheQueueOrTheOutboxSearchesAnIndex() {
        Map<String, String> statements = statementsOnTheQueues();
        assertThat(statements).containsKeys("SqliteDeliveryStore.DUE_WEBHOOKS", "SqliteDeliveryStore.PENDING_PAGE",
                "SqliteMessageStore.DELETE_NOTIFICATIONS", "SqliteMessageStore.DELETE_QUEUED",
                "Queues.QUEUE_OFFLINE_ONCE", "SqliteRoomStore.DELETE_QUEUED_FOR_MEMBER");
        SoftAssertions softly = new SoftAssertions();
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(dir.resolve("chat.db"), "NORMAL"))) {
            // what the trigger that removes a shared body with its last notification runs for each deleted row (V8)
            statements.put("webhook_bodies_unused", "SELECT 1 FROM webhook_outbox WHERE body_id = :body");
            statements.forEach((name, sql) -> {
                if (!sql.contains("WHERE")) {
                    return; // a plain INSERT reads nothing
                }
                List<String> plan = plan(db, sql);
                softly.assertThat(plan).as("%s: %s", name, plan)
                        .anyMatch(step -> step.startsWith("SEARCH "))
                        .noneMatch(step -> step.startsWith("SCAN ") && !step.equals("SCAN CONSTANT ROW"))
                        .noneMatch(step -> step.contains("TEMP B-TREE"));
            });
        }
        softly.assertAll();
    }

    /** Every SQL constant of the store's classes that names the offline queue or the outbox, by class and name. */
    private static Map<String, String> statementsOnTheQueues() {
        Map<String, String> statements = new TreeMap<>();
        for (Class<?> holder : STATEMENT_HOLDERS) {
            for (Field field : holder.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (field.getType() != String.class || !Modifier.isStatic(modifiers) || !Modifier.isFinal(modifiers)) {
                    continue;
                }
                field.setAccessible(true);
                try {
                    String value = (String) field.get(null);
                    if (QUEUE_TABLES.matcher(value).find()) {
                        statements.put(holder.getSimpleName() + "." + field.getName(), value);
                    }
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return statements;
    }

    private static List<String> plan(SqliteDatabase db, String sql) {
        return db.read(h -> {
            try (PreparedStatement explain = h.getConnection().prepareStatement("EXPLAIN QUERY PLAN " + sql);
                 ResultSet rs = explain.executeQuery()) {
                List<String> steps = new ArrayList<>();
                while (rs.next()) {
                    steps.add(rs.getString("detail"));
                }
                return steps;
            } catch (SQLException e) {
                throw new AssertionError(sql, e);
            }
        });
    }
}
