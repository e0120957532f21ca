package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseFileTest {
    private static final Logger LOG = Logger.getLogger(DatabaseFile.class.getName());

    @TempDir
    Path dir;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(MessageFormat.format(record.getMessage(), record.getParameters()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        LOG.addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        LOG.removeHandler(handler);
    }

    @Test
    void aRemovedFileIsReportedAsRemovedOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("chat.db"), "x");
        DatabaseFile opened = DatabaseFile.opened(file);
        assertThat(opened.intact()).isTrue();
        Files.delete(file);

        assertThat(opened.intact()).isFalse();
        assertThat(opened.intact()).isFalse();
        assertThat(lines).singleElement().asString().contains("was removed while open");
    }

    @Test
    void aReplacedFileIsReportedAsReplaced() throws Exception {
        Path file = Files.writeString(dir.resolve("chat.db"), "x");
        DatabaseFile opened = DatabaseFile.opened(file);
        Files.move(file, dir.resolve("moved.db"));
        Files.writeString(file, "another");

        assertThat(opened.intact()).isFalse();
        assertThat(lines).singleElement().asString().contains("was replaced by another file while open");
    }
}
