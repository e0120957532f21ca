package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SqliteCeilingTest {

    @Test
    void writesContiguousSeqsPerRoomAndCountsCommittedRows(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("ceiling.db");
        SqliteCeiling.Result result = SqliteCeiling.run(db, 5, Duration.ofMillis(100), Duration.ofMillis(500), "NORMAL");

        assertThat(result.rows()).isPositive();
        assertThat(result.rowsPerSecond()).isPositive();
        assertThat(result.failures()).isZero();
        assertThat(result.latency().getTotalCount()).isEqualTo(result.rows());
        assertThat(result.walAutocheckpoint()).as("the server writer's checkpoint interval").isEqualTo(10_000);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement()) {
            try (ResultSet rooms = s.executeQuery("SELECT count(*) FROM rooms")) {
                rooms.next();
                assertThat(rooms.getInt(1)).as("5 producers pair into 2 rooms (one of three)").isEqualTo(2);
            }
            try (ResultSet check = s.executeQuery("SELECT r.last_seq, count(m.seq), min(m.seq), max(m.seq)"
                    + " FROM rooms r JOIN messages m ON m.room_id = r.room_id GROUP BY r.room_id")) {
                int rooms = 0;
                while (check.next()) {
                    rooms++;
                    assertThat(check.getLong(2)).isEqualTo(check.getLong(1));
                    assertThat(check.getLong(3)).isEqualTo(1);
                    assertThat(check.getLong(4)).isEqualTo(check.getLong(1));
                }
                assertThat(rooms).isEqualTo(2);
            }
            try (ResultSet mode = s.executeQuery("PRAGMA journal_mode")) {
                mode.next();
                assertThat(mode.getString(1)).isEqualToIgnoringCase("wal");
            }
        }
    }
}
