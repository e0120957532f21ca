package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.domain.Bot;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.LlmProvider;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deletes that can reach hundreds of thousands of rows (a user's queue in a busy room, a bot in every room) run a
 * chunk of rows per write, so that the one writer is not held for the whole of them: each one here spans two full
 * chunks and a part, so it takes at least three write transactions, and removes everything it should and nothing
 * else. A member's removal stays one transaction: their queue is dropped ahead of it.
 */
class LongDeletesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int ROWS = 2 * SqliteDatabase.DELETE_CHUNK + 5;

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private SqliteRoomStore rooms;
    private SqliteDeliveryStore deliveries;

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(new SqliteSettings(dir.resolve("chat.db"), "NORMAL"));
        rooms = new SqliteRoomStore(db);
        deliveries = new SqliteDeliveryStore(db);
        for (String room : List.of("room_busy", "room_other")) {
            rooms.createGroup(new Room(room, RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                    List.of(member(room, "alice"), member(room, "bob")));
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aReceiptClearsAQueueOfManyChunks() {
        queue("alice", "room_busy", ROWS + 10);
        queue("alice", "room_other", 3);
        queue("bob", "room_busy", 3);
        long before = db.transactions();

        assertThat(deliveries.acknowledge("alice", "room_busy", ROWS)).isTrue();

        assertThat(db.transactions() - before).isGreaterThanOrEqualTo(3);
        assertThat(queued("alice", "room_busy")).isEqualTo(10); // those after the acknowledged seq
        assertThat(queued("alice", "room_other")).isEqualTo(3);
        assertThat(queued("bob", "room_busy")).isEqualTo(3);
        assertThat(deliveries.acknowledge("alice", "room_busy", ROWS)).isFalse(); // the position moved
    }

    @Test
    void aPassThatMeetsAnEntryAReceiptCoversRemovesItAndMakesNoDeadLetter() {
        queue("alice", "room_busy", 3);
        assertThat(deliveries.acknowledge("alice", "room_busy", 2)).isTrue();
        // entries the receipt's clearing has not reached yet (a long queue is cleared a chunk per write)
        queue("alice", "room_busy", 2);
        List<Long> ids = deliveries.pendingFor("alice").stream().map(PendingDelivery::id).toList();
        assertThat(ids).hasSize(3);

        assertThat(deliveries.expire(ids, 5, T0)).isEqualTo(1);

        assertThat(deliveries.pendingFor("alice")).isEmpty();
        assertThat(deliveries.deadLetters(10)).singleElement().satisfies(dead -> assertThat(dead.seq()).isEqualTo(3));
    }

    @Test
    void aResumeClearsAQueueOfManyChunks() {
        queue("alice", "room_busy", ROWS);
        queue("bob", "room_busy", 3);
        long before = db.transactions();

        deliveries.clearUpTo("alice", "room_busy", ROWS);

        assertThat(db.transactions() - before).isGreaterThanOrEqualTo(3);
        assertThat(queued("alice", "room_busy")).isZero();
        assertThat(queued("bob", "room_busy")).isEqualTo(3);
    }

    @Test
    void aMembersQueueOfManyChunksIsDroppedAheadOfTheirRemovalWhichTakesWhatCameSince() {
        queue("alice", "room_busy", ROWS);
        queue("alice", "room_other", 3);
        queue("bob", "room_busy", 3);
        long before = db.transactions();

        rooms.dropQueued("room_busy", "alice");

        assertThat(db.transactions() - before).isGreaterThanOrEqualTo(3);
        assertThat(queued("alice", "room_busy")).isZero();
        assertThat(rooms.member("room_busy", "alice")).as("still a member until the removal").isPresent();
        queue("alice", "room_busy", 2); // queued for her meanwhile
        before = db.transactions();

        assertThat(rooms.removeMember("room_busy", "alice")).isTrue();

        assertThat(db.transactions() - before).isEqualTo(1);
        assertThat(queued("alice", "room_busy")).isZero();
        assertThat(queued("alice", "room_other")).isEqualTo(3);
        assertThat(queued("bob", "room_busy")).isEqualTo(3);
        assertThat(rooms.member("room_busy", "alice")).isEmpty();
    }

    @Test
    void aShortQueueGoesWithTheRemovalInItsOneWrite() {
        queue("alice", "room_busy", SqliteDatabase.DELETE_CHUNK - 1);
        long before = db.transactions();

        rooms.dropQueued("room_busy", "alice");
        assertThat(rooms.removeMember("room_busy", "alice")).isTrue();

        assertThat(db.transactions() - before).isEqualTo(1);
        assertThat(queued("alice", "room_busy")).isZero();
    }

    @Test
    void aBotInManyChunksOfRoomsLeavesThemAllAndAUserOfNoBotKeepsTheirs() {
        var bots = new SqliteBotStore(db);
        bots.create(new Bot("bot_everywhere", "Helper", "http://127.0.0.1:9/v1", "OPENAI_KEY", "gpt-test",
                LlmProvider.OPENAI, Bot.DEFAULT_MAX_CONTEXT, null, null, T0));
        db.write(h -> {
            PreparedBatch room = h.prepareBatch("""
                    INSERT INTO rooms (id, type, last_seq, created_at, handoff_state, handoff_since)
                    VALUES (:id, 'group', 0, 0, 'bot', 0)""");
            PreparedBatch member = h.prepareBatch("""
                    INSERT INTO members (room_id, user_id, role, joined_at) VALUES (:room, :user, :role, 0)""");
            for (int i = 0; i < ROWS; i++) {
                room.bind("id", "room_" + i).add();
                member.bind("room", "room_" + i).bind("user", "bot_everywhere").bind("role", "bot").add();
                member.bind("room", "room_" + i).bind("user", "carol").bind("role", "member").add();
            }
            room.execute();
            return member.execute();
        });
        long before = db.transactions();

        assertThat(bots.delete("carol")).isFalse(); // no such bot: the user keeps their rooms
        assertThat(bots.delete("bot_everywhere")).isTrue();

        assertThat(db.transactions() - before).isGreaterThanOrEqualTo(3);
        assertThat(memberships("bot_everywhere")).isZero();
        assertThat(memberships("carol")).isEqualTo(ROWS);
        assertThat(bots.find("bot_everywhere")).isEmpty();
        assertThat(rooms.members("room_busy")).extracting(Member::userId).containsExactly("alice", "bob");
    }

    private static Member member(String room, String user) {
        return new Member(room, user, MemberRole.MEMBER, T0);
    }

    /** Queues {@code count} entries for the user in the room, seqs 1 to {@code count}. */
    private void queue(String user, String room, int count) {
        db.write(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    INSERT INTO pending_deliveries (user_id, room_id, message_id, seq, created_at)
                    VALUES (:user, :room, :message, :seq, 0)""");
            for (int seq = 1; seq <= count; seq++) {
                batch.bind("user", user).bind("room", room).bind("message", "msg_" + room + seq).bind("seq", seq)
                        .add();
            }
            return batch.execute();
        });
    }

    private int queued(String user, String room) {
        return db.read(h -> h.createQuery(
                        "SELECT count(*) FROM pending_deliveries WHERE user_id = :user AND room_id = :room")
                .bind("user", user).bind("room", room).mapTo(Integer.class).one());
    }

    private int memberships(String user) {
        return db.read(h -> h.createQuery("SELECT count(*) FROM members WHERE user_id = :user")
                .bind("user", user).mapTo(Integer.class).one());
    }
}
