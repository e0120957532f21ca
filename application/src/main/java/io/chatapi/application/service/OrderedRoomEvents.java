package io.chatapi.application.service;

import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.Room;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes the events of newly stored messages in seq order per room, although concurrent senders'
 * commits finish on different threads in any order. Every append to a room is announced with
 * {@link #appending} before it starts, and every appended seq must be reported exactly once with
 * {@link #committed} (with no events when there is nothing to publish), or later events of the room wait.
 * Thread-safe.
 */
public final class OrderedRoomEvents {
    private final EventPublisher publisher;
    private final RoomStore rooms;
    private final Map<String, RoomQueue> queues = new ConcurrentHashMap<>();

    public OrderedRoomEvents(EventPublisher publisher, RoomStore rooms) {
        this.publisher = publisher;
        this.rooms = rooms;
    }

    /**
     * Announces an append to a room; call it before the append. The first time a room is seen, this reads where
     * its seq stands, so that the next seq is the first one published even when a later one commits first. No
     * append to the room can run meanwhile: each one waits for its own announcement, and the first announcement
     * to register a room is the one whose reading counts.
     */
    public void appending(String roomId) {
        if (queues.containsKey(roomId)) {
            return;
        }
        long last = rooms.find(roomId).map(Room::lastSeq).orElse(0L);
        queues.putIfAbsent(roomId, new RoomQueue(last + 1));
    }

    /** Reports the seq just committed in a room, with the events for it (possibly none) and their audience. */
    public void committed(String roomId, long seq, Collection<String> audience, ChatEvent... events) {
        // A room never announced publishes from the first report on, in the order reports come.
        RoomQueue queue = queues.computeIfAbsent(roomId, id -> new RoomQueue(seq));
        synchronized (queue) {
            if (seq < queue.next) {
                emit(audience, events); // a late report, after a vanished one's successors were let through
                return;
            }
            queue.waiting.put(seq, new Pending(audience, events));
            if (seq == queue.next) {
                drain(queue);
            } else if (queue.waiting.size() > 1024) {
                flushStuck(queue);
            }
        }
    }

    /** Publishes every waiting event whose turn has come. */
    private void drain(RoomQueue queue) {
        Pending pending;
        while ((pending = queue.waiting.remove(queue.next)) != null) {
            emit(pending.audience, pending.events);
            queue.next++;
        }
    }

    /** A reporter vanished: publish what waits, in order, rather than hold the room forever. */
    private void flushStuck(RoomQueue queue) {
        queue.waiting.forEach((seq, p) -> {
            emit(p.audience, p.events);
            queue.next = seq + 1;
        });
        queue.waiting.clear();
    }

    private void emit(Collection<String> audience, ChatEvent[] events) {
        if (!audience.isEmpty()) {
            for (ChatEvent event : events) {
                publisher.publish(audience, event);
            }
        }
    }

    private record Pending(Collection<String> audience, ChatEvent[] events) {
    }

    private static final class RoomQueue {
        long next;
        final TreeMap<Long, Pending> waiting = new TreeMap<>();

        RoomQueue(long next) {
            this.next = next;
        }
    }
}
