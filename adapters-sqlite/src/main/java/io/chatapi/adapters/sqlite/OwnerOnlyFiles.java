package io.chatapi.adapters.sqlite;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files and directories the server creates for its data, readable by their owner only (where the file system has
 * POSIX permissions): the messages are the users'. SQLite gives the WAL and shared-memory files the database
 * file's permissions. Existing files and directories are left as they are.
 */
final class OwnerOnlyFiles {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private OwnerOnlyFiles() {
    }

    /** Creates {@code dir} and its missing parents, each {@code rwx------}. */
    static void createDirectories(Path dir) throws IOException {
        if (!POSIX) {
            Files.createDirectories(dir);
            return;
        }
        Files.createDirectories(dir, attribute("rwx------"));
    }

    /** Creates {@code file} empty, {@code rw-------}, unless it exists. */
    static void create(Path file) throws IOException {
        try {
            if (POSIX) {
                Files.createFile(file, attribute("rw-------"));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            // kept as it is
        }
    }

    private static FileAttribute<?> attribute(String permissions) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions));
    }
}
