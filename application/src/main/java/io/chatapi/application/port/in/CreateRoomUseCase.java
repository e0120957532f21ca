package io.chatapi.application.port.in;

import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import java.util.List;

/** Creates a group, or finds-or-creates the direct-message room of a pair. */
public interface CreateRoomUseCase {
    /** {@code type} is the wire value; {@code name} and {@code metadata} may be null. */
    record CreateRoom(String type, List<String> members, String name, String metadata) {
    }

    Room create(Principal caller, CreateRoom command);
}
