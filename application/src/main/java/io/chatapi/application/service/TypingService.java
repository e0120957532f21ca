package io.chatapi.application.service;

import io.chatapi.application.port.in.TypingUseCase;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Relays typing indicators to the room's members. The same indicator from the same user in the same room is
 * relayed at most once per {@link #REPEAT_AFTER} (clients repeat {@code typing.start} while their user types),
 * and a {@code typing.start} after a stop, or a repeat, goes through as long as the user's bucket for that room
 * has a token ({@link #BURST} of them, {@link #PER_SECOND} more each second): a client sending typing frames in
 * a loop, the same or alternating, cannot make the server write a frame to every member for each of them. A
 * {@code typing.stop} that ends a relayed start always goes through, and needs no token: members who were told
 * that the user types are always told when they stop, and it costs at most one frame per relayed start. A stop
 * after a relayed stop (the start between them dropped, or none sent) is not relayed; one with nothing relayed
 * before it, or only long ago, is (a start may have been forgotten). Every indicator that needs a token of its room's
 * bucket also needs one of the user's own across all rooms ({@link #USER_BURST}, {@link #USER_PER_SECOND} more each
 * second): a user in many rooms cannot multiply the room budget by typing in each of them in turn.
 */
public final class TypingService implements TypingUseCase, MemberLeaves {
    static final Duration REPEAT_AFTER = Duration.ofSeconds(1);
    static final double BURST = 5;
    static final double PER_SECOND = 2;
    static final int USER_BURST = 10;
    static final double USER_PER_SECOND = 5;
    /** Above this many remembered users and rooms, those quiet for longer than a full bucket takes are forgotten. */
    private static final int SWEEP_ABOVE = 10_000;
    private static final Duration FORGET_AFTER = Duration.ofMillis((long) (1000 * BURST / PER_SECOND));

    /** The last indicator relayed for a user in a room, and that user's tokens then. */
    private record Relayed(boolean start, Instant at, double tokens) {
        /** The state once {@code action} at {@code now} is relayed; null when it is not to be relayed. */
        Relayed relay(boolean action, Instant now) {
            if (!action && !start) {
                return null; // members were last told the user stopped: another stop tells them nothing
            }
            if (now.isBefore(at)) {
                return new Relayed(action, now, BURST - 1); // the wall clock stepped back: start afresh
            }
            if (action == start && now.isBefore(at.plus(REPEAT_AFTER))) {
                return null;
            }
            double seconds = Duration.between(at, now).toNanos() / 1e9;
            double available = Math.min(BURST, tokens + seconds * PER_SECOND);
            if (start && !action) {
                return new Relayed(false, now, available);
            }
            return available < 1 ? null : new Relayed(action, now, available - 1);
        }
    }

    private final RoomStore rooms;
    private final RoomAccess access;
    private final EventPublisher publisher;
    private final TimeSource clock;
    private final ByUserAndRoom<Relayed> relayed = new ByUserAndRoom<>();
    /** The user's tokens across all rooms. */
    private final RateLimiter acrossRooms;
    /** Indicators of one user in one room are published one at a time; pairs share these stripes. */
    private final LockStripes publishing = new LockStripes(64);
    /** When the next sweep may run: at most one per {@link #FORGET_AFTER}, however many users type. */
    private final SweepSchedule sweeps = new SweepSchedule(SWEEP_ABOVE, FORGET_AFTER);

    public TypingService(RoomStore rooms, EventPublisher publisher, TimeSource clock) {
        this.rooms = rooms;
        this.access = new RoomAccess(rooms);
        this.publisher = publisher;
        this.clock = clock;
        this.acrossRooms = new RateLimiter(USER_PER_SECOND, USER_BURST, clock);
    }

    @Override
    public void typing(Principal caller, String roomId, boolean start) {
        access.usable(caller, roomId);
        UserInRoom user = new UserInRoom(caller.userId(), roomId);
        // Decided and published under one lock per user and room, which memberLeft and connectionClosed take too:
        // indicators sent from two sockets at once reach members in the order they were decided, so members are
        // never told a stop right after a stop, nor shown a start after the stop that ended it. The room is checked
        // again under the lock: a user who left meanwhile is not shown typing (their leaving told members that
        // they stopped, when members had been told that they type).
        Instant now = publishing.locked(user, () -> {
            Instant at = clock.now();
            Relayed last = relayed.get(user);
            Relayed next = last == null ? new Relayed(start, at, BURST - 1) : last.relay(start, at);
            boolean endsRelayedStart = last != null && last.start() && !start;
            if (next == null || !stillUsable(caller, roomId)
                    || !endsRelayedStart && !acrossRooms.acquire(caller.userId()).isZero()) {
                return null;
            }
            relayed.compute(user, (key, previous) -> next);
            publisher.publish(MessageText.userIds(rooms.members(roomId)),
                    new ChatEvent.Typing(roomId, caller.userId(), start));
            return at;
        });
        if (now != null) {
            sweep(now);
        }
    }

    private boolean stillUsable(Principal caller, String roomId) {
        try {
            access.usable(caller, roomId);
            return true;
        } catch (ChatException e) {
            return false;
        }
    }

    /**
     * A member left or was removed: when members were last told that they type in that room, they are told that
     * they stopped (the user can no longer send that stop, and members would keep showing them typing).
     */
    @Override
    public void memberLeft(String roomId, String userId) {
        UserInRoom user = new UserInRoom(userId, roomId);
        publishing.locked(user, () -> {
            Relayed last = relayed.remove(user);
            if (last != null && last.start()) {
                publisher.publish(MessageText.userIds(rooms.members(roomId)),
                        new ChatEvent.Typing(roomId, userId, false));
            }
        });
    }

    /**
     * A connection of the user closed: in each room where members were last told that they type, they are told
     * that they stopped (the client can no longer send that stop, and the server does not know which of the user's
     * connections sent the start; one whose user still types repeats its start, as clients do). The user's tokens
     * are kept.
     */
    public void connectionClosed(String userId) {
        for (UserInRoom user : relayed.keysOf(userId)) {
            publishing.locked(user, () -> {
                Relayed[] ended = new Relayed[1];
                relayed.computeIfPresent(user, (key, last) -> {
                    if (!last.start()) {
                        return last;
                    }
                    ended[0] = new Relayed(false, last.at(), last.tokens());
                    return ended[0];
                });
                if (ended[0] != null) {
                    publisher.publish(MessageText.userIds(rooms.members(user.roomId())),
                            new ChatEvent.Typing(user.roomId(), userId, false));
                }
            });
        }
    }

    /**
     * Forgets users quiet for longer than a full bucket takes, when there are many and no sweep ran lately, but
     * never one whom members were last told is typing: their stop (sent, or made when they leave or their last
     * connection closes) must still find the start it ends.
     */
    private void sweep(Instant now) {
        if (!sweeps.claim(relayed.size(), now)) {
            return;
        }
        Instant before = now.minus(FORGET_AFTER);
        relayed.removeIf(r -> !r.start() && r.at().isBefore(before));
    }
}
