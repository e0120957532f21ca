package io.chatapi.application.service;

import io.chatapi.application.port.in.CreateRoomUseCase;
import io.chatapi.application.port.in.QueryRoomsUseCase;
import io.chatapi.application.port.in.UpdateRoomUseCase;
import io.chatapi.application.port.out.BotStore;
import io.chatapi.application.port.out.ReadPositions;
import io.chatapi.application.port.out.RoomCursor;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.DmKey;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import io.chatapi.domain.WhiteSpace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Creates, reads and renames rooms. A room holds at most {@code maxMembers} members, for each message costs a
 * queue entry or a frame per member; and each user's room creations and changes are rate limited in a bucket of
 * their own (as are edits), for any user may create a room with anyone in it.
 */
public final class RoomService implements CreateRoomUseCase, QueryRoomsUseCase, UpdateRoomUseCase {
    /**
     * A room's name and metadata travel with the room everywhere (every room listing, every offline webhook as
     * {@code room_metadata}) and any member may change them: bounded, so that one member cannot make each of
     * those carry a megabyte.
     */
    static final int MAX_NAME_CHARS = 1_000;
    static final int MAX_METADATA_CHARS = 65_536;
    /**
     * Rooms read at a time when all of a user's rooms are walked: at most about 13 MB of names and metadata in the
     * worst case (every room at the limits, in characters outside Latin-1), a few tens of kilobytes for usual rooms.
     */
    static final int ROOMS_PAGE = 100;
    /** Members whose read positions are looked up in one read (each a lookup of the positions' key). */
    static final int POSITIONS_PAGE = 500;

    private final RoomStore rooms;
    private final ReadPositions positions;
    private final BotStore bots;
    private final BotReplies replies;
    private final RoomAccess access;
    private final TimeSource clock;
    private final int maxMembers;
    private final UserLimit changes;

    public RoomService(RoomStore rooms, ReadPositions positions, BotStore bots, BotReplies replies, TimeSource clock,
                       int maxMembers, UserLimit changes) {
        this.positions = positions;
        this.maxMembers = maxMembers;
        this.changes = changes;
        this.rooms = rooms;
        this.bots = bots;
        this.replies = replies;
        this.access = new RoomAccess(rooms);
        this.clock = clock;
    }

    @Override
    public Room create(Principal caller, CreateRoom command) {
        RoomType type = RoomType.parse(command.type())
                .orElseThrow(() -> ChatException.invalid("type must be \"dm\" or \"group\""));
        requireSizes(command.name(), command.metadata());
        if (command.members() == null) {
            throw ChatException.invalid("members is required");
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (String member : command.members()) {
            if (member == null || WhiteSpace.only(member)) {
                throw ChatException.invalid("members must be non-empty strings");
            }
            if (Principal.SYSTEM.equals(member)) {
                throw ChatException.invalid("the user id \"system\" is reserved for the server");
            }
            MessageText.requireAtMost("a member id", member, Principal.MAX_USER_ID_CHARS);
            distinct.add(member);
        }
        if (type == RoomType.DM && distinct.size() != 2) {
            throw ChatException.invalid("a dm needs exactly 2 distinct members");
        }
        if (type == RoomType.GROUP && distinct.size() < 2) {
            throw ChatException.invalid("a group needs at least 2 distinct members");
        }
        if (distinct.size() > maxMembers) {
            throw ChatException.invalid("a room holds at most " + maxMembers + " members");
        }
        RoomAccess.require(AccessPolicy.canCreateRoom(caller, distinct), "you must be one of the members");
        changes.take(caller);
        Instant now = clock.now();
        Room room = new Room(Ids.room(), type, MessageText.emptyToNull(command.name()),
                MessageText.emptyToNull(command.metadata()), 0, now,
                Handoff.initial(now));
        List<Member> members = new ArrayList<>(distinct.size());
        for (String userId : distinct) {
            members.add(new Member(room.id(), userId, MemberRoles.of(bots, userId), now));
        }
        if (type == RoomType.DM) {
            var pair = List.copyOf(distinct);
            Room dm = rooms.createOrGetDm(DmKey.of(pair.get(0), pair.get(1)), room, members);
            if (!dm.id().equals(room.id())) {
                changes.refund(caller); // the pair's room, found: clients open a dm this way every time
                readmitOrRefuse(caller, dm, members);
                // the pair's room already existed and may have taken back one who left: a reply streaming
                // there now reaches them too (a no-op for a member who never left)
                members.stream().filter(m -> m.role() != MemberRole.BOT)
                        .forEach(m -> replies.onMemberAdded(dm.id(), m.userId()));
            }
            return dm;
        }
        return rooms.createGroup(room, members);
    }

    /**
     * Opening a dm one of whose pair an admin removed (the store then added nobody back): an admin opening it adds
     * both back; the one removed is refused, before anyone is added; one who left by themselves comes back.
     */
    private void readmitOrRefuse(Principal caller, Room dm, List<Member> pair) {
        List<String> in = MessageText.userIds(rooms.members(dm.id()));
        List<Member> out = pair.stream().filter(member -> !in.contains(member.userId())).toList();
        List<Member> keptOut = out.stream().filter(member -> rooms.keptOut(dm.id(), member.userId())).toList();
        if (keptOut.isEmpty()) {
            return; // the store added back any who had left
        }
        if (!caller.isAdmin() && keptOut.stream().anyMatch(member -> member.userId().equals(caller.userId()))) {
            throw ChatException.forbidden("an admin removed you from this dm");
        }
        for (Member member : out) {
            if (caller.isAdmin() || !keptOut.contains(member)) {
                rooms.addMember(new Member(dm.id(), member.userId(), member.role(), member.joinedAt()), maxMembers);
            }
        }
    }

    @Override
    public void forEachRoomOf(Principal caller, Consumer<RoomView> action) {
        RoomCursor after = RoomCursor.START;
        List<Room> page;
        do {
            page = rooms.roomsOf(caller.userId(), after, ROOMS_PAGE);
            Map<String, Long> read = page.isEmpty() ? Map.of()
                    : positions.ofUser(caller.userId(), page.stream().map(Room::id).toList());
            for (Room room : page) {
                action.accept(new RoomView(room, read.getOrDefault(room.id(), 0L)));
            }
            if (!page.isEmpty()) {
                after = RoomCursor.after(page.getLast());
            }
        } while (page.size() == ROOMS_PAGE);
    }

    @Override
    public List<String> roomIdsOf(Principal caller) {
        return rooms.roomIdsOf(caller.userId());
    }

    @Override
    public RoomView room(Principal caller, String roomId) {
        access.usable(caller, roomId);
        Room room = access.room(roomId); // read again: the answer carries last_seq
        // an admin who is no member (any more: a position outlives a leave) has read nothing there
        boolean member = !caller.isAdmin() || access.isMember(roomId, caller.userId());
        long read = member ? positions.ofUser(caller.userId(), List.of(roomId)).getOrDefault(roomId, 0L) : 0;
        return new RoomView(room, read);
    }

    @Override
    public List<MemberView> members(Principal caller, String roomId) {
        access.usable(caller, roomId);
        List<Member> members = rooms.members(roomId);
        Map<String, Long> read = new HashMap<>();
        for (int from = 0; from < members.size(); from += POSITIONS_PAGE) {
            List<String> users = members.subList(from, Math.min(members.size(), from + POSITIONS_PAGE)).stream()
                    .map(Member::userId).toList();
            read.putAll(positions.inRoom(roomId, users));
        }
        return members.stream().map(m -> new MemberView(m, read.getOrDefault(m.userId(), 0L))).toList();
    }

    @Override
    public Room update(Principal caller, String roomId, String name, String metadata) {
        access.usable(caller, roomId);
        requireSizes(name, metadata);
        changes.take(caller);
        return rooms.update(roomId, name, metadata).orElseThrow(() -> ChatException.notFound("room not found"));
    }

    private static void requireSizes(String name, String metadata) {
        MessageText.requireAtMost("name", name, MAX_NAME_CHARS);
        MessageText.requireAtMost("metadata", metadata, MAX_METADATA_CHARS);
    }
}
