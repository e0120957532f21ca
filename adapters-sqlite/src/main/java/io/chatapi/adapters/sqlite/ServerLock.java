package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.StoreUnavailableException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock that keeps a second server off a database file: an exclusive lock on {@code <file>.lock}, held for as
 * long as the database is open. Two servers on one file would each cache rooms and members and publish only to
 * their own sockets. The operating system drops the lock when the process ends, however it ends. Tools that
 * read or back up the database itself are not kept out.
 */
final class ServerLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private ServerLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code database}, creating the lock file (owner-only, as {@link OwnerOnlyFiles} makes it).
     *
     * @throws StoreUnavailableException when another process holds it
     */
    static ServerLock take(Path database) throws IOException {
        Path file = database.resolveSibling(database.getFileName() + ".lock");
        OwnerOnlyFiles.create(file);
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
            throw new StoreUnavailableException("another server is using the database " + database + " (it holds "
                    + file.getFileName() + "); run one server per database file", null);
        }
        return new ServerLock(channel, lock);
    }

    @Override
    public void close() {
        try (channel) {
            lock.release();
        } catch (IOException e) {
            // the lock goes with the channel
        }
    }
}
