package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.contract.RoomStoreContract;
import io.chatapi.application.contract.Stores;
import io.chatapi.application.port.out.RoomCursor;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRoomStoreTest extends RoomStoreContract {
    private static final Instant T0 = Instant.parse("2026-04-02T12:00:00Z");

    @TempDir
    Path dir;

    @Override
    protected Stores newStores() {
        return TestDatabases.stores(dir);
    }

    @Test
    void aPageOfAUsersRoomsIsReadFromTheIndexInItsOrderWithoutSortingThemAll() {
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(dir.resolve("plan.db"), "NORMAL"))) {
            List<String> plan = db.read(h -> h.createQuery("EXPLAIN QUERY PLAN " + SqliteRoomStore.ROOMS_PAGE)
                    .bind("user", "u").bind("at", 1L).bind("id", "").bind("limit", 100)
                    .map((rs, ctx) -> rs.getString("detail")).list());

            assertThat(plan).anySatisfy(step -> assertThat(step).contains("members_by_user_and_room_age"))
                    .noneSatisfy(step -> assertThat(step).contains("TEMP B-TREE"));
        }
    }

    @Test
    void roomsOfADatabaseMadeBeforeTheMembershipIndexAreListedInOrderAfterTheUpgrade() {
        Path file = dir.resolve("old.db");
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "NORMAL"))) {
            SqliteRoomStore rooms = new SqliteRoomStore(db);
            for (int i = 0; i < 5; i++) {
                String id = "room_" + i;
                Instant at = T0.plusSeconds(i % 3); // ties on the creation time too
                rooms.createGroup(new Room(id, RoomType.GROUP, null, null, 0, at, Handoff.initial(at)),
                        List.of(new Member(id, "alice", MemberRole.MEMBER, at)));
            }
            db.write(h -> { // back to the schema before V6, as a database of an earlier build has it
                h.execute("DROP INDEX members_by_user_and_room_age");
                h.execute("ALTER TABLE members DROP COLUMN room_created_at");
                h.execute("CREATE INDEX members_by_user ON members (user_id)");
                h.execute("CREATE INDEX rooms_by_id_and_age ON rooms (id, created_at)");
                h.execute("DROP TABLE owed_replies"); // and the migrations after it
                return h.execute("DELETE FROM flyway_schema_history WHERE version IN ('6', '7')");
            });
        }
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "NORMAL"))) {
            SqliteRoomStore rooms = new SqliteRoomStore(db);
            assertThat(rooms.roomIdsOf("alice")).containsExactly("room_2", "room_4", "room_1", "room_3", "room_0");
            assertThat(rooms.roomsOf("alice", RoomCursor.START, 2)).extracting(Room::id)
                    .containsExactly("room_2", "room_4");
        }
    }
}
