package io.chatapi.application.service;

import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.Room;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the events of newly stored messages in seq order per room, although concurrent senders'
 * commits finish on different threads in any order. Every append to a room is announced with
 * {@link #appending} before it starts, and every appended seq must be reported exactly once with
 * {@link #committed} (with no events when there is nothing to publish), or later events of the room wait.
 * Thread-safe.
 */
public final class OrderedRoomEvents {
    private static final System.Logger LOG = System.getLogger(OrderedRoomEvents.class.getName());
    private static final Runnable NOTHING = () -> { };
    /** Reports waiting for a missing earlier one, beyond which they are published anyway. */
    private static final int MAX_WAITING = 1024;

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
        report(roomId, seq, audience, NOTHING, events);
    }

    /**
     * Reports a seq that has no events of its own and waits, at most {@code maxWait}, until every earlier seq's
     * events are published; false when one of them was still missing then. A bot's reply is announced by its
     * stream alone, so its {@code message.stream.end} is the only place its seq shows: sent after this, it never
     * overtakes a message before it, and a client that resumes from the highest seq it was told misses nothing.
     */
    public boolean committedAndCaughtUp(String roomId, long seq, Duration maxWait) {
        CountDownLatch published = new CountDownLatch(1);
        report(roomId, seq, List.of(), published::countDown);
        try {
            return published.await(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * {@code then} runs right after the events are published, once every earlier seq's are: on this thread before
     * this returns, or later on the thread that reports the last missing earlier seq. It must not block.
     */
    private void report(String roomId, long seq, Collection<String> audience, Runnable then, ChatEvent... events) {
        // A room never announced publishes from the first report on, in the order reports come.
        RoomQueue queue = queues.computeIfAbsent(roomId, id -> new RoomQueue(seq));
        synchronized (queue) {
            Pending pending = new Pending(audience, events, then);
            if (seq < queue.next) {
                publish(pending); // a late report, after a vanished one's successors were let through
                return;
            }
            queue.waiting.put(seq, pending);
            if (seq == queue.next) {
                drain(queue);
            } else if (queue.waiting.size() > MAX_WAITING) {
                flushStuck(queue);
            }
        }
    }

    /** Publishes every waiting report whose turn has come. */
    private void drain(RoomQueue queue) {
        Pending pending;
        while ((pending = queue.waiting.remove(queue.next)) != null) {
            queue.next++;
            publish(pending);
        }
    }

    /** A reporter vanished: publish what waits, in order, rather than hold the room forever. */
    private void flushStuck(RoomQueue queue) {
        queue.waiting.forEach((seq, pending) -> {
            queue.next = seq + 1;
            publish(pending);
        });
        queue.waiting.clear();
    }

    /** Publishes a report's events, then runs what follows it; a failure holds back none of the room's later ones. */
    private void publish(Pending pending) {
        try {
            if (!pending.audience.isEmpty()) {
                for (ChatEvent event : pending.events) {
                    publisher.publish(pending.audience, event);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "publishing a room event failed", e);
        } finally {
            pending.then.run();
        }
    }

    private record Pending(Collection<String> audience, ChatEvent[] events, Runnable then) {
    }

    private static final class RoomQueue {
        long next;
        final TreeMap<Long, Pending> waiting = new TreeMap<>();

        RoomQueue(long next) {
            this.next = next;
        }
    }
}
