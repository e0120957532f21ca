package io.chatapi.application.port.out;

import io.chatapi.domain.Room;
import java.time.Instant;

/**
 * A place in a user's rooms, which are ordered newest {@code createdAt} first and, among rooms created at the same
 * instant, greatest id first: a page read from here starts with the room that comes next in that order. Being a
 * pair of values rather than an offset, it stays right while rooms are created or joined between two pages.
 */
public record RoomCursor(Instant createdAt, String roomId) {
    /** Before every room: a page read from here starts with the newest one. */
    public static final RoomCursor START = new RoomCursor(Instant.MAX, "");

    /** Just after {@code room}: where the page after one that ended with it starts. */
    public static RoomCursor after(Room room) {
        return new RoomCursor(room.createdAt(), room.id());
    }

    /** True when {@code room} comes after this place: older, or as old with a smaller id. */
    public boolean precedes(Room room) {
        int byTime = room.createdAt().compareTo(createdAt);
        return byTime < 0 || byTime == 0 && room.id().compareTo(roomId) < 0;
    }
}
