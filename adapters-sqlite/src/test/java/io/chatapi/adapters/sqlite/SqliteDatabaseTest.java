package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.chatapi.application.port.out.StoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void opensOnTheModulePathWithMigrationsAndPragmasApplied() {
        assertThat(SqliteDatabase.class.getModule().getName()).isEqualTo("io.chatapi.adapters.sqlite");
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(dir.resolve("sub/chat.db"), "FULL"))) {
            List<String> tables = db.read(h -> h.createQuery(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").mapTo(String.class).list());
            assertThat(tables).contains("rooms", "members", "messages", "pending_deliveries", "webhook_outbox",
                    "dead_letters", "bots", "health_probe", "presence_kept", "owed_replies", "flyway_schema_history");
            String journalMode = db.read(h -> h.createQuery("PRAGMA journal_mode").mapTo(String.class).one());
            assertThat(journalMode).isEqualTo("wal");
            assertThat(writerPragma(db, "synchronous")).isEqualTo(2);
            assertThat(writerPragma(db, "foreign_keys")).isEqualTo(1);
            assertThat(writerPragma(db, "busy_timeout")).isPositive();
            assertThat(writerPragma(db, "wal_autocheckpoint")).isEqualTo(SqliteDatabase.WAL_AUTOCHECKPOINT_PAGES);
            assertThat(db.file()).isEqualTo(dir.resolve("sub/chat.db").toAbsolutePath());
        }
    }

    @Test
    void aWriteRefusedForAFullDiskTruncatesTheWriteAheadLogAndOthersStillCommit() throws Exception {
        Path file = dir.resolve("chat.db");
        Path wal = dir.resolve("chat.db-wal");
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            for (int i = 0; i < 50; i++) {
                int id = i;
                db.write(h -> h.execute("INSERT INTO health_probe (id) VALUES (?)", id));
            }
            assertThat(Files.size(wal)).as("committed pages wait in the log").isPositive();
            // a page limit makes SQLite answer SQLITE_FULL as a full disk would
            db.write(h -> h.createQuery("PRAGMA max_page_count = " + pageCount(db)).mapTo(Integer.class).one());

            List<LogRecord> lines;
            try (LogRecords info = LogRecords.on(GroupCommitWriter.class.getName())) {
                for (int i = 0; i < 3; i++) {
                    assertThatThrownBy(() -> db.write(h -> h.execute(
                            "CREATE TABLE filler AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                    + "WHERE i < 2000) SELECT i, randomblob(4000) AS b FROM n")))
                            .isInstanceOf(StoreUnavailableException.class);
                    db.write(h -> null); // writes run in order: the failed one, the checkpoint after it, this one
                    assertThat(Files.size(wal)).as("the log gave its space back").isZero();
                }
                lines = info.at(Level.INFO);
            }
            assertThat(lines).as("one line for three failures in a row").hasSize(1);
            assertThat(lines.getFirst().getMessage()).contains("checkpointed and truncated");
            db.write(h -> h.execute("INSERT INTO health_probe (id) VALUES (1000)"));
            int rows = db.read(h -> h.createQuery("SELECT count(*) FROM health_probe").mapTo(Integer.class).one());
            assertThat(rows).isEqualTo(51);
        }
    }

    private static int pageCount(SqliteDatabase db) {
        return db.read(h -> h.createQuery("PRAGMA page_count").mapTo(Integer.class).one());
    }

    @Test
    void theWriterRunsNoQueryOfItsOwnAfterAnInsert() {
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(dir.resolve("chat.db"), "FULL"))) {
            boolean keysFetched = db.write(h -> {
                try (var insert = h.getConnection().prepareStatement("INSERT INTO health_probe (id) VALUES (7)")) {
                    insert.executeUpdate();
                    try (var keys = insert.getGeneratedKeys()) {
                        return keys.next();
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });

            assertThat(keysFetched).as("the driver's SELECT last_insert_rowid() after each INSERT").isFalse();
            int stored = db.read(h -> h.createQuery("SELECT count(*) FROM health_probe WHERE id = 7")
                    .mapTo(Integer.class).one());
            assertThat(stored).isEqualTo(1);
        }
    }

    /** After a close the file alone is the database: a copy of it without the -wal file has every commit. */
    @Test
    void closingLeavesEverythingInTheDatabaseFileAndNoWriteAheadLog() throws Exception {
        Path file = dir.resolve("chat.db");
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            for (int i = 0; i < 50; i++) {
                int n = i;
                db.write(h -> h.execute("INSERT INTO health_probe (id) VALUES (?)", n));
            }
            assertThat(probes(db)).isEqualTo(50);
            assertThat(Files.size(Path.of(file + "-wal"))).isPositive();
        }
        assertThat(Path.of(file + "-wal")).doesNotExist();
        Path copy = Files.createDirectory(dir.resolve("copy")).resolve("chat.db");
        Files.copy(file, copy);
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(copy, "FULL"))) {
            assertThat(probes(db)).isEqualTo(50);
        }
    }

    /** Another process reading the database as the server stops keeps the log: the operator is told so. */
    @Test
    void aWriteAheadLogLeftByAReaderElsewhereIsToldAtClose() throws Exception {
        Path file = dir.resolve("chat.db");
        List<LogRecord> lines;
        try (LogRecords warnings = LogRecords.on(SqliteDatabase.class.getName());
             SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"));
             Connection reader = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = reader.createStatement()) {
            db.write(h -> h.execute("INSERT INTO health_probe (id) VALUES (1)"));
            reader.setAutoCommit(false);
            statement.executeQuery("SELECT count(*) FROM health_probe").close(); // holds a read transaction
            db.close();
            assertThat(Path.of(file + "-wal")).exists();
            reader.rollback();
            lines = warnings.at(Level.WARNING);
        }
        assertThat(lines).singleElement().extracting(LogRecord::getMessage).asString()
                .contains("chat.db-wal", "copy it with the database file");
    }

    private static int probes(SqliteDatabase db) {
        return db.read(h -> h.createQuery("SELECT count(*) FROM health_probe").mapTo(Integer.class).one());
    }

    @Test
    void normalSynchronousIsAppliedAndReopeningKeepsTheSchema() {
        Path file = dir.resolve("chat.db");
        int applied;
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            applied = migrations(db);
        }
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "normal"))) {
            assertThat(writerPragma(db, "synchronous")).isEqualTo(1);
            assertThat(migrations(db)).isEqualTo(applied).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aDatabaseMigratedByANewerReleaseIsRefusedNotRunWithOlderCodeSayingSo() throws Exception {
        Path file = dir.resolve("chat.db");
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            db.write(h -> h.execute("""
                    INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,
                        installed_by, installed_on, execution_time, success)
                    VALUES (999, '999', 'from a newer release', 'SQL', 'V999__newer.sql', 1, 'x', CURRENT_TIMESTAMP,
                        1, 1)"""));
        }
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(file, "FULL")))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageStartingWith("the database " + file.toRealPath() + " was migrated by a newer release of "
                        + "the server (schema version 999; this one knows up to ")
                .hasMessageEndingWith("restore a backup made before the upgrade");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    private static int migrations(SqliteDatabase db) {
        return db.read(h -> h.createQuery("SELECT count(*) FROM flyway_schema_history WHERE success")
                .mapTo(Integer.class).one());
    }

    @Test
    void aDatabaseFileRemovedWhileOpenTakesNoMoreWritesAndFailsTheHealthProbe() throws Exception {
        Path file = dir.resolve("chat.db");
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            SqliteDeliveryStore deliveries = new SqliteDeliveryStore(db);
            assertThat(deliveries.writable()).isTrue();
            java.nio.file.Files.delete(file);

            assertThat(deliveries.writable()).isFalse();
            assertThatThrownBy(() -> db.write(h -> h.execute("INSERT INTO health_probe (id) VALUES (7)")))
                    .isInstanceOf(StoreUnavailableException.class);
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void aDatabaseFileReplacedWhileOpenTakesNoMoreWrites() throws Exception {
        Path file = dir.resolve("chat.db");
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            java.nio.file.Files.move(file, dir.resolve("moved.db"));
            java.nio.file.Files.writeString(file, "another file under the same name");
            assertThat(new SqliteDeliveryStore(db).writable()).isFalse();
        }
    }

    @Test
    void aDatabaseThisUserCannotWriteIsRefusedBeforeSqliteMakesItsFilesBesideIt() throws Exception {
        Path file = dir.resolve("chat.db");
        SqliteDatabase.open(new SqliteSettings(file, "FULL")).close();
        try (ReadOnly readOnly = ReadOnly.make(file)) {
            assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(file, "FULL")))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("cannot be written by this server's user")
                    .hasMessageContaining("give it write access to " + file.toRealPath());
        }
        assertThat(dir.resolve("chat.db-shm")).as("no read-only -shm left to fail the next start").doesNotExist();
        assertThat(dir.resolve("chat.db-wal")).doesNotExist();
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            db.write(h -> h.execute("INSERT INTO health_probe (id) VALUES (1)"));
        }
    }

    @Test
    void aRefusedStartOnANewFileMakesNothing() throws Exception {
        Path file = dir.resolve("chat.db");
        Path wal = Files.createFile(dir.resolve("chat.db-wal"));
        assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(file, "FULL"), path -> !path.equals(wal)))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("write access to " + wal);
        assertThat(file).doesNotExist();
        assertThat(dir.resolve("chat.db.lock")).doesNotExist();
    }

    @Test
    void everyExistingPathTheServerCannotWriteIsNamed() throws Exception {
        Path file = dir.resolve("chat.db");
        Path shm = Files.createFile(dir.resolve("chat.db-shm"));
        assertThatCode(() -> SqliteDatabase.requireWritable(file, path -> true)).doesNotThrowAnyException();
        assertThatThrownBy(() -> SqliteDatabase.requireWritable(file, path -> !path.equals(shm)))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("write access to " + shm + " (");
        assertThatThrownBy(() -> SqliteDatabase.requireWritable(file, path -> false))
                .hasMessageContaining("write access to " + dir + ", " + shm + " (");
    }

    @Test
    void aDatabaseSqliteOpensReadOnlyAllTheSameIsRefusedAtStart() throws Exception {
        Path file = dir.resolve("chat.db");
        SqliteDatabase.open(new SqliteSettings(file, "FULL")).close();
        try (ReadOnly readOnly = ReadOnly.make(file)) {
            // as on a read-only file system that the access check does not see
            assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(file, "FULL"), path -> true))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("opened read-only");
        }
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            db.write(h -> h.execute("INSERT INTO health_probe (id) VALUES (1)"));
        }
    }

    @Test
    void aDatabaseAnotherProcessHoldsTheWriteLockOfStartsAndItsWritesWaitForTheLock() throws Exception {
        Path file = dir.resolve("chat.db");
        SqliteDatabase.open(new SqliteSettings(file, "FULL")).close();
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = other.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            long started = System.nanoTime();
            SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"));
            assertThat(System.nanoTime() - started).as("the probe does not wait for the lock")
                    .isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(4));
            try (db) {
                var write = java.util.concurrent.CompletableFuture.runAsync(
                        () -> db.write(h -> h.execute("INSERT INTO health_probe (id) VALUES (1)")));
                Thread.sleep(300);
                assertThat(write).as("waits for the other connection's lock").isNotDone();
                statement.execute("ROLLBACK");
                write.get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(writerPragma(db, "busy_timeout")).as("the usual wait restored after the probe")
                        .isEqualTo(5_000);
            }
        }
    }

    /**
     * Makes a file unwritable for this process: by its mode, or as root (whom modes do not stop) by the immutable
     * attribute; the test is skipped where neither works.
     */
    private record ReadOnly(Path file, boolean immutable) implements AutoCloseable {
        static ReadOnly make(Path file) throws Exception {
            boolean root = "root".equals(System.getProperty("user.name"));
            if (!root) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
            } else {
                assumeThat(run("chattr", "+i", file)).as("chattr +i works here").isZero();
            }
            return new ReadOnly(file, root);
        }

        @Override
        public void close() throws Exception {
            if (immutable) {
                assertThat(run("chattr", "-i", file)).isZero();
            } else {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        }

        private static int run(String command, String flag, Path file) throws Exception {
            try {
                return new ProcessBuilder(command, flag, file.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            } catch (java.io.IOException e) {
                return -1; // no such command
            }
        }
    }

    @Test
    void anUnknownSynchronousModeIsRefused() {
        assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(dir.resolve("chat.db"), "OFF")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FULL or NORMAL");
    }

    @Test
    void aFileThatIsNotADatabaseIsUnavailable() throws Exception {
        Path file = dir.resolve("garbage.db");
        java.nio.file.Files.writeString(file, "this is not a database file, just some text long enough to matter");
        assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(file, "FULL")))
                .isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void anotherApplicationsDatabaseIsRefusedAndLeftByteForByteAsItWasWithNothingMadeBesideIt() throws Exception {
        Path file = dir.resolve("theirs.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)");
            st.execute("INSERT INTO users(name) VALUES ('ada')");
        }
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(file, "FULL")))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessage("the database " + file.toRealPath() + " holds another application's tables (users) and "
                        + "not this server's schema history; it was left as it is: give the server a database file "
                        + "of its own");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("theirs.db");
        }
    }

    @Test
    void anEmptyFileAndTheServersOwnDatabaseOpen() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.db"));
        SqliteDatabase.open(new SqliteSettings(empty, "FULL")).close();
        SqliteDatabase.open(new SqliteSettings(empty, "FULL")).close(); // again, now that it holds this server's
    }

    @Test
    void callsAfterCloseAreUnavailable() {
        SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(dir.resolve("chat.db"), "NORMAL"));
        db.close();
        db.close();

        assertThatThrownBy(() -> db.write(h -> 1)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> db.read(h -> 1)).isInstanceOf(StoreUnavailableException.class);
        assertThat(new SqliteDeliveryStore(db).writable()).isFalse();
    }

    private static int writerPragma(SqliteDatabase db, String name) {
        return db.write(h -> h.createQuery("PRAGMA " + name).mapTo(Integer.class).one());
    }
}
