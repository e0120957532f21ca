package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.StoreUnavailableException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The lock that keeps a second server off a database file: an exclusive lock on {@code <file>.lock}, held for as
 * long as the database is open. Two servers on one file would each cache rooms and members and publish only to
 * their own sockets. The operating system drops the lock when the process ends, however it ends. Tools that
 * read or back up the database itself are not kept out.
 * <p>
 * A lock on a separate file, not on a range of the database file: closing any descriptor of a file drops every
 * POSIX lock the process holds on it, and SQLite opens and closes descriptors of the database file as it likes.
 * The lock holds only while the path names the file that is locked, so {@link #held()} checks that and locks
 * the path's file again when it was removed or replaced. Thread-safe.
 */
final class ServerLock implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServerLock.class.getName());
    /** The identity {@link #keyAt} gives a missing file: equal to no file's. */
    private static final Object MISSING = new Object();
    /** Tries at taking the lock while other processes keep replacing the file at the path. */
    private static final int ATTEMPTS = 3;

    private final Path database;
    private final Path file;
    private Locked locked;
    private boolean lost;
    /** Set once another process held the lock file: this server takes no write again. */
    private boolean takenByAnother;

    private ServerLock(Path database, Path file, Locked locked) {
        this.database = database;
        this.file = file;
        this.locked = locked;
    }

    /**
     * Takes the lock of {@code database}, creating the lock file (owner-only, as {@link OwnerOnlyFiles} makes it).
     *
     * @throws StoreUnavailableException when another process holds it
     */
    static ServerLock take(Path database) throws IOException {
        Path file = database.resolveSibling(database.getFileName() + ".lock");
        Locked locked = lock(file);
        if (locked == null) {
            throw new StoreUnavailableException("another server is using the database " + database + " (it holds "
                    + file.getFileName() + "); run one server per database file", null);
        }
        return new ServerLock(database, file, locked);
    }

    /**
     * Whether this server still holds the lock at the lock file's path. Removing the lock file of a running server
     * (or putting another file in its place) would let a second server start on the database, so a lock file that
     * is no longer the locked one is locked again: made anew when it is missing. False, with one {@code SEVERE}
     * line, while the file cannot be made or locked, and for good once another process has held the file now at
     * the path: a second server may have written the database meanwhile, and what this one keeps in memory (member
     * lists, rooms, bots, where each room's seq stands) would no longer be what is stored, so only a restart makes
     * it whole again.
     */
    synchronized boolean held() {
        if (locked == null || takenByAnother) {
            return false; // closed, or another server had the database
        }
        try {
            if (locked.key() == null || locked.key().equals(keyAt(file))) {
                return true;
            }
            Locked again = lock(file);
            if (again != null) {
                locked.close();
                locked = again;
                LOG.warning("the lock file " + file + " was removed or replaced while the server ran; it is locked "
                        + "again: do not remove the lock file of a running server");
                lost = false;
                return true;
            }
            takenByAnother = true;
            lost = false; // this line replaces any earlier one
            refused("another process holds the lock file now at that path, most likely a second server on the "
                    + "same database, which may have written it: writes are refused and /health answers 503 until "
                    + "this server is restarted (stop the other one first)", null);
        } catch (IOException | RuntimeException e) {
            refused("it cannot be made or locked again: writes are refused and /health answers 503 until it can",
                    e);
        }
        return false;
    }

    private void refused(String reason, Throwable cause) {
        if (!lost) {
            lost = true;
            LOG.log(Level.SEVERE, "the lock file " + file + " of the database " + database + " was removed or "
                    + "replaced while the server ran and " + reason, cause);
        }
    }

    @Override
    public synchronized void close() {
        if (locked != null) {
            locked.close();
            locked = null;
        }
    }

    /** Locks the file at {@code file} (made when missing), or null when another process holds it. */
    private static Locked lock(Path file) throws IOException {
        for (int attempt = 1; ; attempt++) {
            OwnerOnlyFiles.create(file);
            Object key = keyAt(file);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this process already
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                channel.close();
                return null;
            }
            Locked locked = new Locked(channel, lock, key);
            if (key != MISSING && Objects.equals(key, keyAt(file))) {
                return locked; // the path named the locked file all along
            }
            locked.close();
            if (attempt == ATTEMPTS) {
                throw new IOException("the lock file " + file + " keeps being replaced");
            }
        }
    }

    /**
     * The identity (device and inode) of the file at {@code file}; null where the file system has no such identity.
     */
    private static Object keyAt(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return MISSING;
        }
    }

    /** A locked lock file: its open channel, the lock, and the file's identity when it was locked. */
    private record Locked(FileChannel channel, FileLock lock, Object key) {
        void close() {
            try (channel) {
                lock.release();
            } catch (IOException e) {
                // the lock goes with the channel
            }
        }
    }
}
