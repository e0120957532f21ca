package io.chatapi.application.port.in;

import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import java.util.List;

/** Reads history: REST paging and the replay a reconnecting socket asks for. */
public interface HistoryUseCase {
    /** What a resume replays for one room: {@code lastSeq} is the highest replayed (or the client's own). */
    record Replay(String roomId, List<Message> messages, long lastSeq, boolean complete) {
    }

    /** Messages with {@code seq > afterSeq}, ascending; {@code limit} is clamped to 1..100 (50 when < 1). */
    List<Message> history(Principal caller, String roomId, long afterSeq, int limit);

    /**
     * Missed messages of a room, at most the configured resume limit; clears the caller's offline queue of that
     * room up to the client's {@code lastSeq} or the highest replayed seq, whichever is higher.
     */
    Replay resume(Principal caller, String roomId, long lastSeq);
}
