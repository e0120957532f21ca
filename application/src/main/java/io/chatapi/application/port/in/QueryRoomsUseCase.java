package io.chatapi.application.port.in;

import io.chatapi.domain.Member;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import java.util.List;

/** Reads rooms and their members (members and admins only). */
public interface QueryRoomsUseCase {
    List<Room> roomsOf(Principal caller);

    Room room(Principal caller, String roomId);

    List<Member> members(Principal caller, String roomId);
}
