package io.chatapi.application.service;

import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;

/** Loads a room for a caller: 404 when it does not exist, 403 when the caller may not use it. */
final class RoomAccess {
    private final RoomStore rooms;

    RoomAccess(RoomStore rooms) {
        this.rooms = rooms;
    }

    Room room(String roomId) {
        return rooms.find(requireId(roomId)).orElseThrow(() -> ChatException.notFound("room not found"));
    }

    /**
     * The room, when the caller is a member or an admin; read as checks read it ({@link RoomStore#findForChecks}),
     * so its {@code lastSeq} may be behind.
     */
    Room usable(Principal caller, String roomId) {
        Room room = rooms.findForChecks(requireId(roomId)).orElseThrow(() -> ChatException.notFound("room not found"));
        if (!caller.isAdmin() && !isMember(roomId, caller.userId())) {
            throw ChatException.forbidden("not a member of this room");
        }
        return room;
    }

    private static String requireId(String roomId) {
        if (roomId == null || roomId.isBlank()) {
            throw ChatException.invalid("room_id is required");
        }
        return roomId;
    }

    boolean isMember(String roomId, String userId) {
        return rooms.member(roomId, userId).isPresent();
    }

    static void require(boolean allowed, String message) {
        if (!allowed) {
            throw ChatException.forbidden(message);
        }
    }

    static boolean canUse(Principal caller, boolean member) {
        return AccessPolicy.canUseRoom(caller, member);
    }
}
