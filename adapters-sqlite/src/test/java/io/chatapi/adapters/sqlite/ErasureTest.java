package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleted and replaced text is gone from the database file, not only from what the stores answer. */
class ErasureTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void deletedMessagesAndTextAnEditReplacedAreNotLeftInTheFile() throws Exception {
        Path file = dir.resolve("chat.db");
        String big = "overflowing-deleted-text ".repeat(2_000); // 50 KB: spread over overflow pages
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "FULL"))) {
            new SqliteRoomStore(db).createGroup(new Room("room_e", RoomType.GROUP, null, null, 0, NOW,
                    Handoff.initial(NOW)), List.of());
            SqliteMessageStore messages = new SqliteMessageStore(db);
            String deleted = append(messages, "deleted-text-1f3a");
            String edited = append(messages, "replaced-text-9c2b, longer than what replaces it");
            String large = append(messages, big);
            for (int i = 0; i < 20; i++) {
                append(messages, "kept message " + i);
            }
            assertThat(messages.delete("room_e", deleted)).isTrue();
            assertThat(messages.edit("room_e", edited, "short", NOW)).isPresent();
            assertThat(messages.delete("room_e", large)).isTrue();
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(Files.exists(dir.resolve("chat.db-wal"))).as("checkpointed and removed at close").isFalse();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertThat(text.contains("kept message 19")).as("a kept message is in the file").isTrue();
        for (String gone : List.of("deleted-text-1f3a", "replaced-text-9c2b", "overflowing-deleted-text")) {
            assertThat(text.contains(gone)).as("%s in the file", gone).isFalse();
        }
    }

    private static String append(SqliteMessageStore messages, String content) {
        String id = Ids.message();
        messages.append(new MessageDraft(id, "room_e", "alice", content, null, null, NOW), DeliveryPlan.NONE);
        return id;
    }
}
