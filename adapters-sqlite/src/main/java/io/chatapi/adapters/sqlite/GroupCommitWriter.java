package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The one writer: a platform thread that takes every queued write (up to {@link #MAX_BATCH}) and runs them in
 * one {@code BEGIN IMMEDIATE} transaction. When one of them fails, that transaction is rolled back and the batch
 * runs again with each write inside its own savepoint, so that the failing write rolls back alone; a batch in
 * which nothing fails, nearly every one, pays for no savepoint. Callers are answered only after the commit that
 * holds their write.
 */
final class GroupCommitWriter {
    static final int MAX_BATCH = 256;
    /** At most one INFO line about the full-disk checkpoint per this interval, as {@link FailureLog} does. */
    private static final long WAL_LINE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Logger LOG = Logger.getLogger(GroupCommitWriter.class.getName());

    private final Handle handle;
    private final BlockingQueue<Write<?>> queue = new LinkedBlockingQueue<>();
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private final AtomicLong transactions = new AtomicLong();
    private final Thread thread;
    private final BooleanSupplier fileOurs;
    private boolean closed;
    /** Set on the writer thread when a write of the batch failed for a full disk. */
    private boolean diskFull;
    /** When the next full-disk checkpoint may log at INFO (writer thread only). */
    private long nextWalLineAt = System.nanoTime();

    /**
     * Refuses to commit while {@code fileOurs} says the database file is no longer the one opened, or no longer
     * locked by this server.
     */
    GroupCommitWriter(Handle handle, String threadName, BooleanSupplier fileOurs) {
        this.handle = handle;
        this.fileOurs = fileOurs;
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::loop);
        thread.start();
    }

    /** Queues a write and blocks until the transaction holding it has committed (or the write failed). */
    <T> T write(HandleCallback<T, RuntimeException> work) {
        Write<T> write = new Write<>(work);
        closing.readLock().lock();
        try {
            if (closed) {
                throw new StoreUnavailableException("the database is closed", null);
            }
            queue.add(write);
        } finally {
            closing.readLock().unlock();
        }
        return Futures.await(write.future);
    }

    long transactions() {
        return transactions.get();
    }

    int queued() {
        return queue.size();
    }

    /** Refuses new writes, runs every write already queued, then stops the thread and closes the connection. */
    void close() {
        closing.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(Write.STOP);
        } finally {
            closing.writeLock().unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        List<Write<?>> batch = new ArrayList<>(MAX_BATCH);
        boolean stop = false;
        while (!stop) {
            batch.add(takeUninterruptibly());
            queue.drainTo(batch, MAX_BATCH - 1);
            stop = batch.remove(Write.STOP);
            if (!batch.isEmpty()) {
                runBatch(batch);
            }
            batch.clear();
        }
        StatementCache.forget(handle.getConnection());
        handle.close();
    }

    private Write<?> takeUninterruptibly() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                LOG.fine("writer interrupted while idle; still running");
            }
        }
    }

    private void runBatch(List<Write<?>> batch) {
        if (!transaction(batch, false)) {
            transaction(batch, true);
        }
        if (diskFull) {
            diskFull = false;
            truncateWal();
        }
    }

    /**
     * After a write failed for a full disk: a checkpoint that truncates the write-ahead log gives its space back
     * (it grows to about 40 MB between checkpoints, {@link SqliteDatabase#WAL_AUTOCHECKPOINT_PAGES}), so that
     * writes can succeed again without an operator once the committed pages fit into the database file. Best
     * effort: a reader in the middle of a read, or a disk too full for the copy itself, leaves the log as it was.
     */
    private void truncateWal() {
        // one INFO line per interval: on a full disk every write fails and runs this, and the log is often on the
        // same disk
        long now = System.nanoTime();
        Level level = now - nextWalLineAt >= 0 ? Level.INFO : Level.FINE;
        if (level == Level.INFO) {
            nextWalLineAt = now + WAL_LINE_INTERVAL_NANOS;
        }
        try {
            int busy = handle.createQuery("PRAGMA wal_checkpoint(TRUNCATE)").mapTo(Integer.class).first();
            LOG.log(level, busy == 0 ? "the disk is full: the write-ahead log was checkpointed and truncated"
                    : "the disk is full: the write-ahead log could not be truncated now (a read was in progress)");
        } catch (RuntimeException e) {
            LOG.log(level, "the disk is full: the write-ahead log could not be truncated ({0})", e.getMessage());
        }
    }

    /** True when SQLite said the disk (or the database's page limit) is full, anywhere in the cause chain. */
    static boolean isDiskFull(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException sqlite && sqlite.getResultCode() == SQLiteErrorCode.SQLITE_FULL) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * One transaction over the batch. With {@code isolated}, each write runs in its own savepoint and a failing
     * one rolls back alone; without, the writes run as they are and the first that fails rolls the whole
     * transaction back and answers nobody: false, and the caller runs the batch again isolated.
     */
    private boolean transaction(List<Write<?>> batch, boolean isolated) {
        try {
            control("BEGIN IMMEDIATE");
        } catch (RuntimeException e) {
            rollbackQuietly();
            failAll(batch, e);
            return true;
        }
        try {
            for (Write<?> write : batch) {
                if (isolated) {
                    runInSavepoint(write);
                } else if (!runAlone(write)) {
                    rollbackQuietly();
                    return false;
                }
            }
            if (!fileOurs.getAsBoolean()) {
                throw new FileGoneException();
            }
            control("COMMIT");
            transactions.incrementAndGet();
        } catch (RuntimeException | Error e) {
            rollbackQuietly();
            diskFull |= isDiskFull(e);
            failAll(batch, e);
            return true;
        }
        batch.forEach(Write::complete);
        return true;
    }

    private boolean runAlone(Write<?> write) {
        try {
            write.run(handle);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void runInSavepoint(Write<?> write) {
        control("SAVEPOINT write");
        try {
            write.run(handle);
        } catch (RuntimeException e) {
            diskFull |= isDiskFull(e);
            write.failure = Futures.translate(e);
            control("ROLLBACK TO write");
        }
        control("RELEASE write");
    }

    /**
     * Runs a transaction-control statement, prepared once on the writer's connection: two of them run for every
     * batch, and a savepoint and its release for every write of a batch that runs again isolated.
     */
    private void control(String sql) {
        try {
            StatementCache.prepared(handle, sql).execute();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
        }
    }

    private void rollbackQuietly() {
        try {
            control("ROLLBACK");
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "rollback after a failed batch did not run", e);
        }
    }

    /**
     * The database file or its lock file was removed or replaced: reported once by {@link DatabaseFile} or
     * {@link ServerLock}, not per transaction.
     */
    private static final class FileGoneException extends IllegalStateException {
        FileGoneException() {
            super("the database file or its lock file was removed or replaced while open");
        }
    }

    private static void failAll(List<Write<?>> batch, Throwable cause) {
        if (!(cause instanceof FileGoneException)) {
            Futures.FAILURES.failed("a write transaction failed, " + batch.size() + " writes not committed", cause);
        }
        for (Write<?> write : batch) {
            write.future.completeExceptionally(new StoreUnavailableException("the database write failed", cause));
        }
    }

    /** One queued write; its outcome is kept until the commit decides whether it holds. */
    private static final class Write<T> {
        static final Write<Void> STOP = new Write<>(handle -> null);

        final HandleCallback<T, RuntimeException> work;
        final CompletableFuture<T> future = new CompletableFuture<>();
        T value;
        RuntimeException failure;

        Write(HandleCallback<T, RuntimeException> work) {
            this.work = work;
        }

        void run(Handle handle) {
            value = work.withHandle(handle);
        }

        void complete() {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(value);
            }
        }
    }
}
