package io.chatapi.application.port.in;

import io.chatapi.domain.Member;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import java.util.List;
import java.util.function.Consumer;

/** Reads rooms and their members (members and admins only), with the read positions of the members. */
public interface QueryRoomsUseCase {
    /**
     * A room as its reader sees it: with the last seq the reader acknowledged in it (0 when none), never beyond
     * the room's {@code lastSeq}. The room and the read position are read one after the other, and an ack beyond
     * the last seq counts as the last seq of its moment: a message stored between the two reads would otherwise
     * show a read position ahead of the room (a negative unread count).
     */
    record RoomView(Room room, long lastReadSeq) {
        public RoomView {
            lastReadSeq = Math.min(lastReadSeq, room.lastSeq());
        }
    }

    /** A member with the last seq they acknowledged in the room (0 when none). */
    record MemberView(Member member, long lastReadSeq) {
    }

    /**
     * Hands each room the caller belongs to to {@code action}, newest {@code createdAt} first (among rooms created
     * at the same instant, greatest id first), each once. A user may be in any number of rooms, each with up to
     * 64 KiB of metadata, so they are read a page at a time, each page a read of its own: memory holds one page
     * whatever the count, and no read stays open while {@code action} waits (on a slow client, say). A room
     * created or joined meanwhile is handed when it comes after the rooms already handed.
     *
     * <p>A failure of the store or of {@code action} ends the walk with that exception; when the first page cannot
     * be read, {@code action} has not been called.
     */
    void forEachRoomOf(Principal caller, Consumer<RoomView> action);

    /** The ids of the rooms the caller belongs to, in the order of {@link #forEachRoomOf}. */
    List<String> roomIdsOf(Principal caller);

    RoomView room(Principal caller, String roomId);

    List<MemberView> members(Principal caller, String roomId);
}
