package io.chatapi.application.port.in;

import io.chatapi.domain.Principal;
import java.util.Collection;
import java.util.List;

/** Bot replies in flight: stopping one, and the text so far for a socket that joins mid-stream. */
public interface StreamsUseCase {
    /** A reply streaming now, with all text generated so far. */
    record ActiveStream(String roomId, String messageId, String senderId, String text) {
    }

    /** Stops a streaming reply in a room the caller belongs to. */
    void cancel(Principal caller, String roomId, String messageId);

    /** The replies streaming now in the given rooms. */
    List<ActiveStream> active(Collection<String> roomIds);

    /** Whether any reply streams now, in any room: when none does, a new socket need not look up its rooms. */
    boolean anyActive();
}
