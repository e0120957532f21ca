package io.chatapi.adapters.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The database file as it was opened. SQLite keeps writing to a file that was removed (or replaced by another)
 * while it is open, and those writes are gone at the next start: such a file is no longer "intact", and the
 * writer refuses to commit to it. Thread-safe.
 */
final class DatabaseFile {
    private static final Logger LOG = Logger.getLogger(DatabaseFile.class.getName());

    private final Path path;
    private final Object key;
    private final AtomicBoolean reported = new AtomicBoolean();

    private DatabaseFile(Path path, Object key) {
        this.path = path;
        this.key = key;
    }

    /** The file at {@code path} now (it must exist). */
    static DatabaseFile opened(Path path) throws IOException {
        return new DatabaseFile(path, Files.readAttributes(path, BasicFileAttributes.class).fileKey());
    }

    /** True while the path still names the file that was opened (where file keys exist: same device and inode). */
    boolean intact() {
        String problem;
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            problem = key == null || Objects.equals(key, now) ? null : "was replaced by another file while open";
        } catch (NoSuchFileException e) {
            problem = "was removed while open";
        } catch (IOException e) {
            // a directory made unreadable, say: the file may be there, but writes cannot be known to reach it
            problem = "cannot be checked (" + e.getClass().getSimpleName() + ")";
        }
        if (problem != null && reported.compareAndSet(false, true)) {
            LOG.log(Level.SEVERE, "the database file {0} {1}: writes are refused and /health answers 503 until that"
                    + " file is back or the server is restarted", new Object[] {path, problem});
        }
        return problem == null;
    }
}
