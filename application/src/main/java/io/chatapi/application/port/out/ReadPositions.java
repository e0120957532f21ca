package io.chatapi.application.port.out;

import java.util.Collection;
import java.util.Map;

/**
 * The stored read positions: the last seq each member acknowledged in each room. A user with no position in a
 * room (none acknowledged yet, or one who left and came back) is absent from the answers: position 0.
 * May throw {@link StoreUnavailableException}. Thread-safe.
 */
public interface ReadPositions {
    /** One user's positions in these rooms, by room id. */
    Map<String, Long> ofUser(String userId, Collection<String> roomIds);

    /** These users' positions in one room, by user id. */
    Map<String, Long> inRoom(String roomId, Collection<String> userIds);
}
