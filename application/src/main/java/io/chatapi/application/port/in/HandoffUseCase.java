package io.chatapi.application.port.in;

import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;

/** Hands a room to a human agent or back to its bots (admins and agents). */
public interface HandoffUseCase {
    /** {@code state} is the wire value; {@code agentId} and {@code reason} may be null. */
    record ChangeHandoff(String state, String agentId, String reason) {
    }

    /** Returns the room; a change that changes nothing is a no-op without events. */
    Room change(Principal caller, String roomId, ChangeHandoff command);
}
