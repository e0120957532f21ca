package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import db.migration.Migrations;
import io.chatapi.application.contract.RoomStoreContract;
import io.chatapi.application.contract.Stores;
import io.chatapi.application.port.out.RoomCursor;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

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
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + file);
        // the schema before V6, as a database of an earlier build has it
        Flyway.configure(SqliteDatabase.class.getClassLoader()).dataSource(source).locations(Migrations.LOCATION)
                .target("5").load().migrate();
        Jdbi.create(source).useHandle(h -> {
            for (int i = 0; i < 5; i++) {
                String id = "room_" + i;
                Instant at = T0.plusSeconds(i % 3); // ties on the creation time too
                h.createUpdate("""
                                INSERT INTO rooms (id, type, created_at, handoff_state, handoff_since)
                                VALUES (:id, 'group', :at, :state, :at)""")
                        .bind("id", id).bind("at", Columns.nanos(at))
                        .bind("state", Handoff.initial(at).state().wire()).execute();
                h.createUpdate("""
                                INSERT INTO members (room_id, user_id, role, joined_at)
                                VALUES (:id, 'alice', :role, :at)""")
                        .bind("id", id).bind("role", MemberRole.MEMBER.wire()).bind("at", Columns.nanos(at)).execute();
            }
        });
        try (SqliteDatabase db = SqliteDatabase.open(new SqliteSettings(file, "NORMAL"))) {
            SqliteRoomStore rooms = new SqliteRoomStore(db);
            assertThat(rooms.roomIdsOf("alice")).containsExactly("room_2", "room_4", "room_1", "room_3", "room_0");
            assertThat(rooms.roomsOf("alice", RoomCursor.START, 2)).extracting(Room::id)
                    .containsExactly("room_2", "room_4");
        }
    }
}
