package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Database failures are one line naming SQLite's error, at most one per interval, stack traces only at FINE. */
class FailureLogTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void oneLinePerIntervalNamingTheRootCauseAndCountingWhatItLeftOut() {
        AtomicLong clock = new AtomicLong(1_000);
        try (LogRecords records = LogRecords.on("test.failures")) {
            FailureLog log = new FailureLog(records.logger, TimeUnit.SECONDS.toNanos(10), clock::get);
            Exception cause = new IllegalStateException("COMMIT failed",
                    new java.sql.SQLException("[SQLITE_FULL] database or disk is full"));

            log.failed("a write failed", cause);
            clock.addAndGet(TimeUnit.SECONDS.toNanos(9));
            log.failed("a write failed", cause);
            log.failed("a write failed", cause);
            clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
            log.failed("a read failed", new IllegalStateException());

            assertThat(records.at(Level.WARNING)).extracting(LogRecord::getMessage).containsExactly(
                    "a write failed: [SQLITE_FULL] database or disk is full",
                    "a read failed: IllegalStateException (2 more database failures since the last line)");
            assertThat(records.at(Level.WARNING)).allMatch(r -> r.getThrown() == null);
            assertThat(records.at(Level.FINE)).hasSize(4).allMatch(r -> r.getThrown() != null);
        }
    }

    @Test
    void aFullDatabaseFailsEachWriteWithoutAStackTraceAtWarningAndRecoversWhenThereIsRoom() {
        try (LogRecords records = LogRecords.on("io.chatapi.adapters.sqlite")) {
            SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(dir.resolve("chat.db"), "FULL"));
            try {
                new SqliteRoomStore(db).createGroup(new Room("room_a", RoomType.GROUP, null, null, 0, NOW,
                        Handoff.initial(NOW)), List.of(new Member("room_a", "alice", MemberRole.MEMBER, NOW)));
                SqliteMessageStore messages = new SqliteMessageStore(db);
                long pages = db.write(h -> h.createQuery("PRAGMA page_count").mapTo(Long.class).one());
                db.write(h -> h.createQuery("PRAGMA max_page_count = " + pages).mapTo(Long.class).one());
                String big = "x".repeat(20_000);

                for (int i = 0; i < 5; i++) {
                    int n = i;
                    assertThatThrownBy(() -> messages.append(draft("m" + n, big), DeliveryPlan.NONE))
                            .isInstanceOf(StoreUnavailableException.class);
                }

                List<LogRecord> warnings = records.at(Level.WARNING);
                assertThat(warnings).hasSize(1);
                assertThat(warnings.get(0).getMessage()).contains("SQLITE_FULL");
                assertThat(warnings.get(0).getThrown()).isNull();

                db.write(h -> h.createQuery("PRAGMA max_page_count = 1073741823").mapTo(Long.class).one());
                assertThat(messages.append(draft("after", big), DeliveryPlan.NONE).message().seq())
                        .isEqualTo(1);
            } finally {
                db.close();
            }
        }
    }

    private static MessageDraft draft(String id, String content) {
        return new MessageDraft("msg_" + id, "room_a", "alice", content, null, null, NOW);
    }
}
