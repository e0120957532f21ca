package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.RoomCursor;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.HandoffState;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Rooms and members in SQLite; a direct-message room is unique by its {@code dm_key}. */
public final class SqliteRoomStore implements RoomStore {
    private static final String DELETE_QUEUED_FOR_MEMBER =
            "DELETE FROM pending_deliveries WHERE user_id = :user AND room_id = :room";
    /** A row when the member has at least {@code :at + 1} entries queued in the room. */
    private static final String QUEUED_AT_LEAST = """
            SELECT 1 FROM pending_deliveries WHERE user_id = :user AND room_id = :room LIMIT 1 OFFSET :at""";

    private final SqliteDatabase db;

    public SqliteRoomStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public Room createGroup(Room room, List<Member> members) {
        return db.write(h -> {
            insertRoom(h, room, null);
            members.forEach(member -> insertMember(h, room.id(), member));
            return findRoom(h, room.id()).orElseThrow();
        });
    }

    @Override
    public Room createOrGetDm(String dmKey, Room room, List<Member> members) {
        return db.write(h -> {
            insertRoom(h, room, dmKey);
            Room stored = h.createQuery("SELECT * FROM rooms WHERE dm_key = :key").bind("key", dmKey)
                    .map(SqliteRoomStore::room).one();
            // a pair one of whom an admin removed (a row of the room's) is left as it is: who may come back is the
            // caller's to decide
            boolean anyKeptOut = h.createQuery("SELECT 1 FROM dm_kept_out WHERE room_id = :room LIMIT 1")
                    .bind("room", stored.id()).mapTo(Integer.class).findOne().isPresent();
            if (!anyKeptOut) {
                members.forEach(member -> insertMember(h, stored.id(), member));
            }
            return stored;
        });
    }

    @Override
    public Optional<String> dmKey(String roomId) {
        return db.read(h -> h.createQuery("SELECT dm_key FROM rooms WHERE id = :id AND dm_key IS NOT NULL")
                .bind("id", roomId).mapTo(String.class).findOne());
    }

    @Override
    public Optional<Room> find(String roomId) {
        return db.read(h -> findRoom(h, roomId));
    }

    /**
     * A page of a user's rooms: a range of the index on the user's memberships by their room's creation time
     * (migration V6), read in page order, so a page costs its own rooms whatever the number of rooms of the user,
     * and reads only their rows.
     */
    static final String ROOMS_PAGE = """
            SELECT r.* FROM members m JOIN rooms r ON r.id = m.room_id
            WHERE m.user_id = :user AND (m.room_created_at, m.room_id) < (:at, :id)
            ORDER BY m.room_created_at DESC, m.room_id DESC LIMIT :limit""";

    @Override
    public List<Room> roomsOf(String userId, RoomCursor after, int limit) {
        long at = after.equals(RoomCursor.START) ? Long.MAX_VALUE : Columns.nanos(after.createdAt());
        return db.read(h -> h.createQuery(ROOMS_PAGE)
                .bind("user", userId).bind("at", at).bind("id", after.roomId()).bind("limit", limit)
                .map(SqliteRoomStore::room).list());
    }

    @Override
    public List<String> roomIdsOf(String userId) {
        return db.read(h -> h.createQuery("""
                        SELECT room_id FROM members WHERE user_id = :user
                        ORDER BY room_created_at DESC, room_id DESC""")
                .bind("user", userId).mapTo(String.class).list());
    }

    /**
     * One read over the user's rooms (an index range of each room's members); a room's size is counted up to one
     * past {@code maxRoomSize} only, so that a large room costs no more than a small one.
     */
    @Override
    public Set<String> peersOf(String userId, int maxRoomSize) {
        return db.read(h -> h.createQuery("""
                        SELECT DISTINCT peer.user_id FROM members mine
                        JOIN members peer ON peer.room_id = mine.room_id AND peer.user_id <> :user
                        WHERE mine.user_id = :user AND (SELECT count(*) FROM (
                            SELECT 1 FROM members counted WHERE counted.room_id = mine.room_id LIMIT :over)) <= :max""")
                .bind("user", userId).bind("max", maxRoomSize).bind("over", maxRoomSize + 1L)
                .mapTo(String.class).collect(Collectors.toSet()));
    }

    @Override
    public Optional<Room> update(String roomId, String name, String metadata) {
        return db.write(h -> h.createQuery("""
                        UPDATE rooms SET name = coalesce(:name, name), metadata = coalesce(:metadata, metadata)
                        WHERE id = :id RETURNING *""")
                .bind("id", roomId).bind("name", name).bind("metadata", metadata)
                .map(SqliteRoomStore::room).findOne());
    }

    @Override
    public Optional<Room> setHandoff(String roomId, Handoff handoff) {
        return db.write(h -> setHandoff(h, roomId, handoff));
    }

    @Override
    public Appended handOver(Handoff handoff, Member agent, MessageDraft marker, DeliveryPlan plan) {
        return db.write(h -> {
            if (setHandoff(h, marker.roomId(), handoff).isEmpty()) {
                throw ChatException.notFound("room not found");
            }
            if (agent != null) {
                insertMember(h, marker.roomId(), agent);
            }
            return SqliteMessageStore.append(h, marker, plan);
        });
    }

    private static Optional<Room> setHandoff(Handle h, String roomId, Handoff handoff) {
        return h.createQuery("""
                        UPDATE rooms SET handoff_state = :state, handoff_agent_id = :agent, handoff_reason = :reason,
                            handoff_by = :by, handoff_since = :since
                        WHERE id = :id RETURNING *""")
                .bind("id", roomId).bind("state", handoff.state().wire()).bind("agent", handoff.agentId())
                .bind("reason", handoff.reason()).bind("by", handoff.by()).bind("since", Columns.nanos(handoff.since()))
                .map(SqliteRoomStore::room).findOne();
    }

    @Override
    public List<Member> members(String roomId) {
        return db.read(h -> h.createQuery("SELECT * FROM members WHERE room_id = :room ORDER BY joined_at, rowid")
                .bind("room", roomId).map(SqliteRoomStore::toMember).list());
    }

    @Override
    public Optional<Member> member(String roomId, String userId) {
        return db.read(h -> h.createQuery("SELECT * FROM members WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId).bind("user", userId).map(SqliteRoomStore::toMember).findOne());
    }

    /**
     * Adds a member; false when already a member; {@link ChatException} not_found when the room does not exist,
     * conflict when it is full. One write transaction: the count cannot change before the insert.
     */
    @Override
    public boolean addMember(Member member, int maxMembers) {
        return db.write(h -> {
            if (findRoom(h, member.roomId()).isEmpty()) {
                throw ChatException.notFound("room not found");
            }
            boolean already = h.createQuery("SELECT 1 FROM members WHERE room_id = :room AND user_id = :user")
                    .bind("room", member.roomId()).bind("user", member.userId()).mapTo(Integer.class).findOne()
                    .isPresent();
            if (already) {
                return false;
            }
            int count = h.createQuery("SELECT count(*) FROM members WHERE room_id = :room")
                    .bind("room", member.roomId()).mapTo(Integer.class).one();
            if (count >= maxMembers) {
                throw RoomStore.full(maxMembers);
            }
            h.createUpdate("DELETE FROM dm_kept_out WHERE room_id = :room AND user_id = :user")
                    .bind("room", member.roomId()).bind("user", member.userId()).execute();
            return insertMember(h, member.roomId(), member) == 1;
        });
    }

    @Override
    public boolean removeKeepingOut(String roomId, String userId) {
        return db.write(h -> {
            boolean removed = removeMember(h, roomId, userId);
            if (removed) {
                h.createUpdate("INSERT OR IGNORE INTO dm_kept_out (room_id, user_id) VALUES (:room, :user)")
                        .bind("room", roomId).bind("user", userId).execute();
            }
            return removed;
        });
    }

    @Override
    public boolean keptOut(String roomId, String userId) {
        return db.read(h -> keptOut(h, roomId, userId));
    }

    private static boolean keptOut(Handle h, String roomId, String userId) {
        return h.createQuery("SELECT 1 FROM dm_kept_out WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId).bind("user", userId).mapTo(Integer.class).findOne().isPresent();
    }

    @Override
    public boolean removeMember(String roomId, String userId) {
        return db.write(h -> removeMember(h, roomId, userId));
    }

    private static boolean removeMember(Handle h, String roomId, String userId) {
        h.createUpdate(DELETE_QUEUED_FOR_MEMBER).bind("room", roomId).bind("user", userId).execute();
        // the read position stays (V4): a notification they read and that still waits for a retry is withdrawn
        // all the same, and one who joins again finds it where they left it
        return h.createUpdate("DELETE FROM members WHERE room_id = :room AND user_id = :user")
                .bind("room", roomId).bind("user", userId).execute() == 1;
    }

    /**
     * A chunk of {@link SqliteDatabase#DELETE_CHUNK} entries per write, when there are that many: a shorter queue
     * goes with the removal's own transaction, which then costs the one commit it always did.
     */
    @Override
    public void dropQueued(String roomId, String userId) {
        boolean longQueue = db.read(h -> h.createQuery(QUEUED_AT_LEAST).bind("user", userId).bind("room", roomId)
                .bind("at", SqliteDatabase.DELETE_CHUNK - 1).mapTo(Integer.class).findOne().isPresent());
        if (longQueue) {
            db.deleteInChunks(h -> Queues.clearChunk(h, userId, roomId, Long.MAX_VALUE));
        }
    }

    private static int insertRoom(Handle h, Room room, String dmKey) {
        Handoff handoff = room.handoff();
        return h.createUpdate("""
                        INSERT INTO rooms (id, type, name, metadata, last_seq, created_at, dm_key, handoff_state,
                            handoff_agent_id, handoff_reason, handoff_by, handoff_since)
                        VALUES (:id, :type, :name, :metadata, :lastSeq, :createdAt, :dmKey, :state,
                            :agent, :reason, :by, :since)
                        ON CONFLICT (dm_key) DO NOTHING""")
                .bind("id", room.id()).bind("type", room.type().wire()).bind("name", room.name())
                .bind("metadata", room.metadata()).bind("lastSeq", room.lastSeq())
                .bind("createdAt", Columns.nanos(room.createdAt())).bind("dmKey", dmKey)
                .bind("state", handoff.state().wire()).bind("agent", handoff.agentId()).bind("reason", handoff.reason())
                .bind("by", handoff.by()).bind("since", Columns.nanos(handoff.since()))
                .execute();
    }

    private static int insertMember(Handle h, String roomId, Member member) {
        return h.createUpdate("""
                        INSERT INTO members (room_id, user_id, role, joined_at, room_created_at)
                        SELECT :room, :user, :role, :joinedAt, created_at FROM rooms WHERE id = :room
                        ON CONFLICT (room_id, user_id) DO NOTHING""")
                .bind("room", roomId).bind("user", member.userId()).bind("role", member.role().wire())
                .bind("joinedAt", Columns.nanos(member.joinedAt())).execute();
    }

    private static Optional<Room> findRoom(Handle h, String roomId) {
        return h.createQuery("SELECT * FROM rooms WHERE id = :id").bind("id", roomId)
                .map(SqliteRoomStore::room).findOne();
    }

    private static Room room(ResultSet rs, StatementContext ctx) throws SQLException {
        Handoff handoff = new Handoff(HandoffState.parse(rs.getString("handoff_state")).orElseThrow(),
                rs.getString("handoff_agent_id"), rs.getString("handoff_reason"), rs.getString("handoff_by"),
                Columns.instant(rs, "handoff_since"));
        return new Room(rs.getString("id"), RoomType.parse(rs.getString("type")).orElseThrow(), rs.getString("name"),
                rs.getString("metadata"), rs.getLong("last_seq"), Columns.instant(rs, "created_at"), handoff);
    }

    private static Member toMember(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Member(rs.getString("room_id"), rs.getString("user_id"), MemberRole.parse(rs.getString("role")),
                Columns.instant(rs, "joined_at"));
    }
}
