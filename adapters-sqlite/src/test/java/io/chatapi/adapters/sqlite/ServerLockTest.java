package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.port.out.StoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerLockTest {
    @TempDir
    Path dir;

    @Test
    void aDatabaseOpenInThisProcessIsNotOpenedAgainUntilItIsClosed() {
        Path file = dir.resolve("chat.db");
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(file, "FULL")))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessage("another server is using the database " + file.toAbsolutePath()
                            + " (it holds chat.db.lock); run one server per database file");
            assertThat(db.transactions()).isZero();
        }
        try (SqliteDatabase again = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            assertThat(again.file()).isEqualTo(file.toAbsolutePath());
        }
    }

    @Test
    void aNewFileIsTheOwnersOnlyAndAnExistingOneKeepsItsPermissions() throws Exception {
        Path fresh = dir.resolve("new/chat.db");
        SqliteDatabase.open(new SqliteSettings(fresh, "FULL")).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.getParent()))).isEqualTo("rwx------");

        Path shared = dir.resolve("shared.db");
        Files.createFile(shared, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
        SqliteDatabase.open(new SqliteSettings(shared, "FULL")).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared))).isEqualTo("rw-r-----");
    }

    @Test
    void aSymbolicLinkToTheFileOrItsDirectoryReachesTheSameLock() throws Exception {
        Path file = dir.resolve("data/chat.db");
        Path linkToFile = Files.createSymbolicLink(dir.resolve("link.db"), file.getParent().resolve("chat.db"));
        Files.createDirectories(file.getParent());
        Path linkToDir = Files.createSymbolicLink(dir.resolve("linked-data"), file.getParent());
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(linkToFile, "FULL"))) {
            assertThat(db.file()).isEqualTo(file.toRealPath());
            for (Path other : new Path[] {file, linkToDir.resolve("chat.db")}) {
                assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(other, "FULL")))
                        .isInstanceOf(StoreUnavailableException.class)
                        .hasMessageStartingWith("another server is using the database " + file.toRealPath());
            }
        }
    }

    @Test
    void aDatabaseFileWithTwoHardLinksIsRefused() throws Exception {
        Path file = dir.resolve("chat.db");
        SqliteDatabase.open(new SqliteSettings(file, "FULL")).close();
        Path second = Files.createLink(dir.resolve("other.db"), file);

        for (Path name : new Path[] {file, second}) {
            assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(name, "FULL")))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("has 2 hard links");
        }
        Files.delete(second);
        SqliteDatabase.open(new SqliteSettings(file, "FULL")).close();
    }

    @Test
    void aDirectoryIsRefusedAsTheDatabaseAndGetsNoLockFileBesideIt() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("chat.db"));

        assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(directory, "FULL")))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessage("the database " + directory.toRealPath() + " is a directory, not a database file");
        assertThat(dir.resolve("chat.db.lock")).doesNotExist();
    }
}
