package io.chatapi.application.service;

import io.chatapi.application.port.in.AckUseCase;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Read receipts: clears the caller's queued deliveries up to a seq and tells the room. An ack that does not move
 * the caller's position in the room (the same seq again, or an older one: it acknowledges nothing new) is a
 * no-op. Positions are stored, so a receipt never goes back, across restarts too, nor when the caller leaves the
 * room and joins it again (a position is kept after a leave); the ones remembered here
 * spare a client repeating acks both the database write and a frame to every member. An ack beyond
 * the room's last seq counts as one of its last seq: a receipt never names a seq the room has not reached (it
 * may name a message deleted since), and a too-high ack cannot make the caller's later real ones look old.
 */
public final class AckService implements AckUseCase {
    /** Above this many remembered positions they are all forgotten (the stored ones then decide). */
    private static final int FORGET_ABOVE = 100_000;

    private final RoomStore rooms;
    private final RoomAccess access;
    private final DeliveryStore deliveries;
    private final EventPublisher publisher;
    private final ConcurrentHashMap<UserInRoom, Long> acked = new ConcurrentHashMap<>();
    /** Receipts of one user in one room are published one at a time; pairs share these stripes. */
    private final LockStripes publishing = new LockStripes(64);

    public AckService(RoomStore rooms, DeliveryStore deliveries, EventPublisher publisher) {
        this.rooms = rooms;
        this.access = new RoomAccess(rooms);
        this.deliveries = deliveries;
        this.publisher = publisher;
    }

    /**
     * The highest seq {@code userId} has acknowledged in the room as far as this process remembers, 0 when it does
     * not: known from the moment an ack is taken, before the store has cleared what it covers.
     */
    public long acknowledged(String userId, String roomId) {
        return acked.getOrDefault(new UserInRoom(userId, roomId), 0L);
    }

    @Override
    public void ack(Principal caller, String roomId, long requested) {
        if (requested < 0) {
            throw ChatException.invalid("seq must be 0 or more");
        }
        Room room = access.usable(caller, roomId);
        // the checks' copy of the room may be behind: above it, the stored last seq decides
        long seq = requested <= room.lastSeq() ? requested
                : Math.min(requested, rooms.find(roomId).map(Room::lastSeq).orElse(room.lastSeq()));
        if (seq == 0) {
            return; // every position starts at 0: there is nothing to acknowledge yet
        }
        UserInRoom key = new UserInRoom(caller.userId(), roomId);
        AtomicBoolean advanced = new AtomicBoolean();
        acked.compute(key, (k, last) -> {
            if (last != null && seq <= last) {
                return last;
            }
            advanced.set(true);
            return seq;
        });
        if (!advanced.get()) {
            return;
        }
        boolean stored;
        try {
            stored = deliveries.acknowledge(caller.userId(), roomId, seq);
        } catch (RuntimeException e) {
            acked.remove(key, seq); // not cleared: the same ack may be tried again
            throw e;
        }
        if (!stored) {
            return; // the stored position is already there (acked before a restart, or forgotten here)
        }
        List<String> audience = MessageText.userIds(rooms.members(roomId));
        // Published while no other receipt of this user in this room is, and only while still the latest: two
        // sockets acking at once would otherwise let an older receipt reach members after a newer one.
        publishing.locked(key, () -> {
            Long latest = acked.get(key);
            if (latest == null || latest == seq) {
                publisher.publish(audience, new ChatEvent.AckReceived(roomId, seq, caller.userId()));
            }
        });
        if (acked.size() > FORGET_ABOVE) {
            acked.clear();
        }
    }
}
