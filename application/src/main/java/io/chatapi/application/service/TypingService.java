package io.chatapi.application.service;

import io.chatapi.application.port.in.TypingUseCase;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.domain.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Relays typing indicators to the room's members. The same indicator from the same user in the same room is
 * relayed at most once per {@link #REPEAT_AFTER} (clients repeat {@code typing.start} while their user types;
 * a change of action always goes through), so a client sending typing frames in a loop cannot make the server
 * write a frame to every member for each of them.
 */
public final class TypingService implements TypingUseCase {
    static final Duration REPEAT_AFTER = Duration.ofSeconds(1);
    /** Above this many remembered indicators, those older than {@link #REPEAT_AFTER} are forgotten. */
    private static final int SWEEP_ABOVE = 10_000;

    private record Key(String userId, String roomId) {
    }

    private record Relayed(boolean start, Instant at) {
    }

    private final RoomStore rooms;
    private final RoomAccess access;
    private final EventPublisher publisher;
    private final TimeSource clock;
    private final ConcurrentHashMap<Key, Relayed> relayed = new ConcurrentHashMap<>();

    public TypingService(RoomStore rooms, EventPublisher publisher, TimeSource clock) {
        this.rooms = rooms;
        this.access = new RoomAccess(rooms);
        this.publisher = publisher;
        this.clock = clock;
    }

    @Override
    public void typing(Principal caller, String roomId, boolean start) {
        access.usable(caller, roomId);
        Instant now = clock.now();
        Relayed next = new Relayed(start, now);
        Relayed kept = relayed.compute(new Key(caller.userId(), roomId), (key, last) ->
                last == null || last.start() != start || !now.isBefore(last.at().plus(REPEAT_AFTER)) ? next : last);
        if (kept != next) {
            return;
        }
        if (relayed.size() > SWEEP_ABOVE) {
            Instant before = now.minus(REPEAT_AFTER);
            relayed.values().removeIf(r -> r.at().isBefore(before));
        }
        publisher.publish(MessageText.userIds(rooms.members(roomId)),
                new ChatEvent.Typing(roomId, caller.userId(), start));
    }
}
