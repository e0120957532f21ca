package io.chatapi.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseDsnTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "file:./chatapi.db                          | ./chatapi.db",
            "file:chatapi.db                            | chatapi.db",
            "file:/var/lib/chatapi/chat.db              | /var/lib/chatapi/chat.db",
            "file:/var/lib/chatapi/chat.db?mode=rwc     | /var/lib/chatapi/chat.db",
            "file:///var/lib/chatapi/chat.db            | /var/lib/chatapi/chat.db",
            "file://localhost/var/lib/chat.db           | /var/lib/chat.db",
            "file:/data/my%20chat.db                    | /data/my chat.db",
            "file:/data/chat.db#frag                    | /data/chat.db",
            "file:/data/chat.db#?mode=memory            | /data/chat.db",
            "jdbc:sqlite:/data/chat.db                  | /data/chat.db",
            "jdbc:sqlite:chat.db?journal_mode=WAL       | chat.db",
            "jdbc:sqlite:file:/data/chat.db?cache=shared | /data/chat.db",
            "/data/chat.db                              | /data/chat.db",
            "chat.db                                    | chat.db",
    })
    void namesTheFile(String dsn, String path) {
        assertThat(DatabaseDsn.parse(dsn).file()).isEqualTo(Path.of(path));
    }

    @Test
    void reportsDroppedParameterNamesOnly() {
        DatabaseDsn dsn = DatabaseDsn.parse("file:/d/chat.db?_journal=WAL&_sync=NORMAL&_auth_pass=hunter2&flag");
        assertThat(dsn.ignoredParameters()).containsExactly("_journal", "_sync", "_auth_pass", "flag");
        assertThat(DatabaseDsn.parse("file:/d/chat.db").ignoredParameters()).isEmpty();
        assertThat(DatabaseDsn.parse("file:/d/chat.db?cache=shared#secret").ignoredParameters())
                .containsExactly("cache", "#fragment");
        assertThat(DatabaseDsn.parse("jdbc:sqlite:/d/chat.db#").ignoredParameters()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:", "jdbc:sqlite:", "file:?mode=rwc", ":memory:", "jdbc:sqlite::memory:",
            "file::memory:", "file::memory:?cache=shared", "file:chat.db?mode=memory",
            "file:chat.db?mode=memory#frag",
            "file:chat.db?cache=shared&mode=memory", "postgres://user:pw@db/chat", "mysql://db/chat",
            "jdbc:postgresql://u:p@h/db", "jdbc:mysql://db/chat", "jdbc:h2:./chat",
            "file://otherhost/chat.db", "file:bad%zz.db", "file:bad%2", "file:nul%00.db", "file:///", "bad\0.db",
            "/d/chat.db?journal_mode=WAL", "./data/weird?name.db", "file:/d/weird%3Fname.db"})
    void refusesWhatIsNoSqliteFile(String dsn) {
        assertThatThrownBy(() -> DatabaseDsn.parse(dsn)).isInstanceOf(IllegalArgumentException.class);
    }
}
