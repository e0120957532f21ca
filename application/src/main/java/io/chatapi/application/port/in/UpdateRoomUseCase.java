package io.chatapi.application.port.in;

import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;

/** Changes a room's name and metadata; a null field is left unchanged. */
public interface UpdateRoomUseCase {
    Room update(Principal caller, String roomId, String name, String metadata);
}
