package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.port.out.StoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
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

    @Test
    void aLockFileRemovedWhileTheServerRunsIsLockedAgainAtItsNextWriteSoASecondServerIsStillRefused()
            throws Exception {
        Path file = dir.resolve("chat.db");
        Path lockFile = dir.resolve("chat.db.lock");
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            Files.delete(lockFile);

            assertThat(new SqliteDeliveryStore(db).writable()).isTrue();
            assertThat(lockFile).exists();
            assertThatThrownBy(() -> SqliteDatabase.open(new SqliteSettings(file, "FULL")))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("another server is using the database");
        }
    }

    @Test
    void aServerWhoseLockFileASecondServerLockedRefusesWritesUntilItIsRestarted() throws Exception {
        Path file = dir.resolve("chat.db");
        try (LogRecords severe = LogRecords.on(ServerLock.class.getName());
             SqliteDatabase first = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            SqliteDeliveryStore firstStore = new SqliteDeliveryStore(first);
            Files.delete(dir.resolve("chat.db.lock"));
            try (SqliteDatabase second = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
                assertThat(firstStore.writable()).isFalse();
                assertThat(firstStore.writable()).isFalse();
                assertThatThrownBy(() -> first.write(h -> h.execute("INSERT INTO health_probe (id) VALUES (7)")))
                        .isInstanceOf(StoreUnavailableException.class);
                assertThat(new SqliteDeliveryStore(second).writable()).isTrue();
            }
            assertThat(severe.at(Level.SEVERE)).singleElement().extracting(LogRecord::getMessage).asString()
                    .contains("chat.db.lock", "writes are refused", "restarted");
            assertThat(firstStore.writable()).as("the second server may have written: what the first holds in "
                    + "memory is stale").isFalse();
        }
        try (SqliteDatabase restarted = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            assertThat(new SqliteDeliveryStore(restarted).writable()).isTrue();
        }
    }
}
