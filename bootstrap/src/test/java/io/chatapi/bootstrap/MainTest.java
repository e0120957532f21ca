package io.chatapi.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void aFileErrorWhoseMessageIsOnlyItsPathIsToldByItsKind() {
        assertThat(Main.rootCause(new IllegalStateException("cannot open", new AccessDeniedException("/srv/x"))))
                .isEqualTo(": permission denied: /srv/x");
        assertThat(Main.rootCause(new IllegalStateException("cannot open", new NoSuchFileException("/srv/y"))))
                .isEqualTo(": no such file or directory: /srv/y");
    }

    @Test
    void otherCausesGiveTheFirstLineOfTheirMessage() {
        assertThat(Main.rootCause(new IllegalStateException("cannot open",
                new FileSystemException("/srv/z", null, "Read-only file system")))).isEqualTo(": /srv/z: Read-only file system");
        assertThat(Main.rootCause(new IllegalStateException("cannot open",
                new RuntimeException("[SQLITE_NOTADB] file is not a database\n  more lines")))).isEqualTo(
                ": [SQLITE_NOTADB] file is not a database");
        assertThat(Main.rootCause(new IllegalStateException("alone"))).isEmpty();
    }
}
