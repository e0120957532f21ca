package io.chatapi.adapters.sqlite;

import static java.util.stream.Collectors.joining;

import db.migration.Migrations;
import io.chatapi.application.port.out.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.logging.Logger;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * One SQLite database file: migrates it with Flyway on open, then runs every write on a single platform
 * writer thread with group commit and every read on a small pool of platform reader threads. Thread-safe;
 * callers (virtual threads included) block until their call is done. {@link #close()} finishes the queued
 * writes before it returns.
 */
public final class SqliteDatabase implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SqliteDatabase.class.getName());
    private static final int READERS = 4;
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;
    /** The table in which Flyway records the migrations applied (its default name). */
    private static final String SCHEMA_HISTORY = "flyway_schema_history";
    /**
     * WAL pages after which a commit also checkpoints (SQLite's default is 1,000). Each group commit rewrites a
     * page of both per-room message indexes for every room it touches, so a checkpoint every 1,000 pages came
     * every few transactions and copied the same pages again and again; at 10,000 (about 40 MB of WAL with 4 KiB
     * pages) each copies the latest version of a page once for dozens of transactions (docs/PERFORMANCE.md).
     */
    static final int WAL_AUTOCHECKPOINT_PAGES = 10_000;

    private static final int MAX_LINK_HOPS = 40;
    /**
     * The most rows one write of a long delete removes ({@link #deleteInChunks}): at about 3 µs a row (secure delete,
     * the queue's three indexes) a write of this many holds the writer for some 12 ms, within a commit's own time.
     */
    static final int DELETE_CHUNK = 4_096;

    private final Path file;
    private final ServerLock lock;
    private final GroupCommitWriter writer;
    private final ReaderPool readers;
    private boolean closedOnce;

    private SqliteDatabase(Path file, ServerLock lock, GroupCommitWriter writer, ReaderPool readers) {
        this.file = file;
        this.lock = lock;
        this.writer = writer;
        this.readers = readers;
    }

    /**
     * Opens (creating when missing, readable by its owner only) the database file, takes its {@link ServerLock},
     * applies pending migrations and starts the writer and reader threads. WAL mode always; {@code synchronous}
     * as the settings say.
     *
     * @throws IllegalArgumentException when {@code synchronous} is neither {@code FULL} nor {@code NORMAL}
     * @throws StoreUnavailableException when the file cannot be opened or migrated, or another server has it
     */
    public static SqliteDatabase open(SqliteSettings settings) {
        return open(settings, Files::isWritable);
    }

    /** As {@link #open(SqliteSettings)}, with {@code writable} saying which paths this server's user may write. */
    static SqliteDatabase open(SqliteSettings settings, Predicate<Path> writable) {
        SQLiteConfig.SynchronousMode synchronous = synchronousMode(settings.synchronous());
        Path file = settings.file().toAbsolutePath();
        ServerLock lock = null;
        try {
            NativeLibrary.load(); // before anything is made: a library that cannot load leaves no file behind
            OwnerOnlyFiles.createDirectories(file.getParent());
            file = ownPath(file);
            requireFileOrNothing(file);
            requireWritable(file, writable); // before anything is made beside the file
            requireOwnOrEmpty(file);
            lock = ServerLock.take(file);
            OwnerOnlyFiles.create(file);
            requireOneName(file);
            SQLiteDataSource writes = dataSource(file, writerConfig(synchronous));
            FlywayLogFilter.install();
            Flyway flyway = Flyway.configure(SqliteDatabase.class.getClassLoader())
                    .dataSource(writes)
                    .locations(Migrations.LOCATION)
                    // a schema migrated by a newer release is refused, not run with older code
                    .ignoreMigrationPatterns(new String[0])
                    .load();
            try {
                flyway.migrate();
            } catch (FlywayValidateException e) {
                throw newerRelease(flyway, file).orElseThrow(() -> e);
            }
            DatabaseFile opened = DatabaseFile.opened(file);
            ServerLock held = lock;
            Handle writerHandle = Jdbi.create(writes).open();
            requireWritesTaken(writerHandle, file);
            GroupCommitWriter writer = new GroupCommitWriter(writerHandle, "sqlite-writer",
                    () -> opened.intact() && held.held());
            Jdbi reads = Jdbi.create(dataSource(file, readerConfig()));
            ReaderPool readers = new ReaderPool(reads, READERS, "sqlite-reader");
            return new SqliteDatabase(file, lock, writer, readers);
        } catch (StoreUnavailableException e) {
            close(lock);
            throw e;
        } catch (IOException | RuntimeException e) {
            close(lock);
            throw new StoreUnavailableException("cannot open the database " + file, e);
        }
    }

    private static void close(ServerLock lock) {
        if (lock != null) {
            lock.close();
        }
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /** How many write transactions have committed since open (each holds one or more writes). */
    public long transactions() {
        return writer.transactions();
    }

    /** How many writes are waiting for the writer thread. */
    public int queuedWrites() {
        return writer.queued();
    }

    /**
     * Finishes the reads in progress and every queued write, refuses new ones, and closes all connections, the
     * writer's last: as the last connection to close, it checkpoints the write-ahead log into the database file
     * and removes it, so that the file alone holds everything once the server has stopped. Where it cannot (another
     * process is reading the database, or the disk is full), a {@code WARNING} says that the log is left and must
     * go with the file. Idempotent.
     */
    @Override
    public synchronized void close() {
        readers.close();
        writer.close();
        lock.close();
        Path wal = sibling(file, "-wal");
        if (!closedOnce && Files.exists(wal)) {
            LOG.warning("the write-ahead log " + wal + " was left beside the database (another process had it open, "
                    + "or the disk is full): recent commits are only there, so copy it with the database file");
        }
        closedOnce = true;
    }

    /** Runs {@code work} on the writer thread inside the next group-commit transaction; returns after commit. */
    <T> T write(HandleCallback<T, RuntimeException> work) {
        return writer.write(work);
    }

    /**
     * Runs {@code chunk}, a delete of at most {@link #DELETE_CHUNK} rows that returns how many it deleted, in writes
     * of its own until one deletes fewer: a delete that may reach hundreds of thousands of rows would otherwise hold
     * the one writer, and every write queued behind it, for as long as it takes (0.9 s for a user's 300,000 queued
     * entries). The whole is not atomic: what one write deleted stays deleted when a later one fails.
     */
    void deleteInChunks(ToIntFunction<Handle> chunk) {
        while (write(chunk::applyAsInt) == DELETE_CHUNK) {
            // the next chunk goes behind whatever was queued meanwhile
        }
    }

    /** Runs {@code work} on a reader thread with a read-only connection. */
    <T> T read(HandleCallback<T, RuntimeException> work) {
        return readers.read(work);
    }

    private static SQLiteConfig.SynchronousMode synchronousMode(String value) {
        String mode = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        return switch (mode) {
            case "FULL" -> SQLiteConfig.SynchronousMode.FULL;
            case "NORMAL" -> SQLiteConfig.SynchronousMode.NORMAL;
            default -> throw new IllegalArgumentException("synchronous must be FULL or NORMAL, not " + value);
        };
    }

    private static SQLiteConfig writerConfig(SQLiteConfig.SynchronousMode synchronous) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(synchronous);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.enforceForeignKeys(true);
        config.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(WAL_AUTOCHECKPOINT_PAGES));
        // Deleted rows (a deleted message, the text an edit replaced, delivered queue rows) are overwritten with
        // zeros, on their page and on pages that become free, instead of staying readable in the file.
        config.setPragma(SQLiteConfig.Pragma.SECURE_DELETE, "true");
        // Nothing here reads JDBC's generated keys; left on, the driver runs a "SELECT last_insert_rowid()" of its
        // own after every INSERT.
        config.setGetGeneratedKeys(false);
        return config;
    }

    /**
     * The path of the file itself, symbolic links resolved (in the file's name and in its directories), so that
     * every name that reaches one database finds the same {@link ServerLock} beside it.
     */
    private static Path ownPath(Path file) throws IOException {
        Path path = file;
        for (int hops = 0; !Files.exists(path) && Files.isSymbolicLink(path); hops++) {
            if (hops == MAX_LINK_HOPS) {
                throw new IOException("too many levels of symbolic links: " + file);
            }
            path = path.getParent().resolve(Files.readSymbolicLink(path)); // a link to a file still to be made
        }
        if (Files.exists(path)) {
            return path.toRealPath();
        }
        return path.getParent().toRealPath().resolve(path.getFileName());
    }

    /**
     * The refusal of a database whose schema history holds migrations this release does not know, newer than its
     * own: a newer release of the server migrated it. Flyway's own message says only that validation failed.
     */
    private static Optional<StoreUnavailableException> newerRelease(Flyway flyway, Path file) {
        MigrationInfo[] migrations = flyway.info().all();
        Optional<MigrationInfo> newest = Arrays.stream(migrations)
                .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                .reduce((first, last) -> last);
        String known = Arrays.stream(migrations).filter(m -> m.getState().isResolved() && m.getVersion() != null)
                .map(m -> m.getVersion().getVersion()).reduce((first, last) -> last).orElse("none");
        return newest.map(m -> new StoreUnavailableException("the database " + file + " was migrated by a newer "
                + "release of the server (schema version " + m.getVersion() + "; this one knows up to " + known
                + "); it was left as it is: run that release or a newer one, or restore a backup made before the "
                + "upgrade", null));
    }

    /**
     * Refuses a database that holds tables but not the schema history this server's migrations keep: another
     * application's. Opening it to migrate would already switch it to WAL mode for good (and Flyway would then
     * refuse it anyway), so it is read here through a read-only connection, which changes and makes nothing.
     */
    private static void requireOwnOrEmpty(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            return;
        }
        List<String> tables = new ArrayList<>();
        try (var connection = dataSource(file, readerConfig()).getConnection();
             var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'"
                     + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        } catch (java.sql.SQLException e) {
            throw new StoreUnavailableException("cannot open the database " + file, e);
        }
        if (!tables.isEmpty() && !tables.contains(SCHEMA_HISTORY)) {
            String shown = tables.stream().limit(5).collect(joining(", ")) + (tables.size() > 5 ? ", …" : "");
            throw new StoreUnavailableException("the database " + file + " holds another application's tables ("
                    + shown + ") and not this server's schema history; it was left as it is: give the server a "
                    + "database file of its own", null);
        }
    }

    /**
     * Refuses a path that names something other than a file (a directory, a device, a pipe) before its lock file
     * is made beside it: SQLite could not open it as a database anyway.
     */
    private static void requireFileOrNothing(Path file) {
        if (Files.isDirectory(file)) {
            throw new StoreUnavailableException("the database " + file + " is a directory, not a database file", null);
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new StoreUnavailableException("the database " + file + " is not a regular file", null);
        }
    }

    /**
     * Refuses a database file with more than one hard link: each name would get its own lock, and SQLite its own
     * {@code -wal} and {@code -shm} files, so a server or tool opening the other name could corrupt the database.
     */
    private static void requireOneName(Path file) throws IOException {
        Object links;
        try {
            links = Files.getAttribute(file, "unix:nlink");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return; // no such attribute on this file system
        }
        if (links instanceof Integer count && count > 1) {
            throw new StoreUnavailableException("the database " + file + " has " + count + " hard links; each name "
                    + "would get its own lock and its own -wal and -shm files: keep one (copy it, or remove the "
                    + "others)", null);
        }
    }

    /**
     * Refuses a database that this server's user cannot write, before SQLite opens it: SQLite would open it
     * read-only without a word, every write would then fail until a restart, and the {@code -wal} and {@code -shm}
     * files it made beside it would be read-only too, so that later starts would fail the same way.
     */
    static void requireWritable(Path file, Predicate<Path> writable) {
        List<Path> refused = new ArrayList<>();
        if (!writable.test(file.getParent())) {
            refused.add(file.getParent());
        }
        for (Path path : List.of(file, sibling(file, "-wal"), sibling(file, "-shm"))) {
            if (Files.exists(path) && !writable.test(path)) {
                refused.add(path);
            }
        }
        if (!refused.isEmpty()) {
            throw new StoreUnavailableException("the database " + file + " cannot be written by this server's user: "
                    + "give it write access to " + refused.stream().map(Path::toString).collect(joining(", "))
                    + " (it writes the directory, the file and the file's -wal and -shm)", null);
        }
    }

    /**
     * Writes a row and rolls it back, so that a database SQLite opened read-only all the same (-wal and -shm files
     * it cannot write while the access check saw them writable, a file system that tells access checks one thing
     * and writes another) is refused at start instead of failing every write until a restart. Taking the write
     * lock alone is not enough: in WAL mode SQLite grants it on a read-only database. The probe does not wait for
     * a write lock another process holds (a busy database starts, and its writes wait as they always do).
     */
    private static void requireWritesTaken(Handle handle, Path file) {
        try {
            handle.execute("PRAGMA busy_timeout = 0");
            handle.execute("BEGIN IMMEDIATE");
            handle.execute("INSERT OR REPLACE INTO health_probe (id) VALUES (1)");
        } catch (RuntimeException e) {
            SQLiteErrorCode code = sqliteCode(e);
            int primary = code == null ? -1 : code.code & 0xff;
            if (primary != SQLiteErrorCode.SQLITE_BUSY.code && primary != SQLiteErrorCode.SQLITE_LOCKED.code) {
                handle.close();
                String why = primary == SQLiteErrorCode.SQLITE_READONLY.code
                        ? " opened read-only: SQLite refused to write it (-wal or -shm files it cannot write, or a "
                        + "file system that refuses writes)"
                        : " cannot be written: " + (code == null ? e.toString() : code.message);
                throw new StoreUnavailableException("the database " + file + why, e);
            }
        } finally {
            if (!handle.isClosed()) {
                rollBack(handle);
                handle.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
            }
        }
    }

    private static void rollBack(Handle handle) {
        try {
            handle.execute("ROLLBACK");
        } catch (RuntimeException e) {
            // no transaction was begun: the database was busy
        }
    }

    /** SQLite's result code behind {@code e}, extended where the driver knows it; null when none is. */
    private static SQLiteErrorCode sqliteCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException sqlite) {
                return sqlite.getResultCode();
            }
        }
        return null;
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    private static SQLiteConfig readerConfig() {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.enforceForeignKeys(true);
        return config;
    }

    private static SQLiteDataSource dataSource(Path file, SQLiteConfig config) {
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + file);
        return dataSource;
    }
}
