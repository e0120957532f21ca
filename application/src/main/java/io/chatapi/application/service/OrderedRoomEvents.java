package io.chatapi.application.service;

import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes the events of newly stored messages in seq order per room, although concurrent senders'
 * commits finish on different threads in any order. Every appended seq must be reported exactly once
 * (with no events when there is nothing to publish), or later events of the room wait. Thread-safe.
 */
public final class OrderedRoomEvents {
    private final EventPublisher publisher;
    private final Map<String, RoomQueue> queues = new ConcurrentHashMap<>();

    public OrderedRoomEvents(EventPublisher publisher) {
        this.publisher = publisher;
    }

    /** Reports the seq just committed in a room, with the events for it (possibly none) and their audience. */
    public void committed(String roomId, long seq, Collection<String> audience, ChatEvent... events) {
        RoomQueue queue = queues.computeIfAbsent(roomId, id -> new RoomQueue());
        synchronized (queue) {
            if (queue.next == 0 || seq < queue.next) {
                if (queue.next == 0) {
                    queue.next = seq + 1;
                }
                emit(audience, events);
                drain(queue);
                return;
            }
            queue.waiting.put(seq, new Pending(audience, events));
            if (seq == queue.next) {
                drain(queue);
            }
        }
    }

    /** Publishes every waiting event whose turn has come; never lets a vanished report hold a room forever. */
    private void drain(RoomQueue queue) {
        Pending pending;
        while ((pending = queue.waiting.remove(queue.next)) != null) {
            emit(pending.audience, pending.events);
            queue.next++;
        }
        if (queue.waiting.size() > 1024) {
            // A reporter vanished: publish what waits rather than hold the room forever.
            Map<Long, Pending> stuck = new HashMap<>(queue.waiting);
            queue.waiting.clear();
            new TreeMap<>(stuck).forEach((seq, p) -> {
                emit(p.audience, p.events);
                queue.next = seq + 1;
            });
        }
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
    }
}
