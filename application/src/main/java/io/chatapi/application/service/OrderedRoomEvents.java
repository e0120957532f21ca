package io.chatapi.application.service;

import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.Room;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes the events of newly stored messages in seq order per room, although concurrent senders'
 * commits finish on different threads in any order. Every append to a room takes a {@link Turn} with
 * {@link #appending} before it starts, reports the seq it committed on that turn (with no events when there is
 * nothing to publish), and closes the turn in any case. A seq that no open turn can still report is not waited
 * for.
 *
 * <p>Memory stays bounded by the rooms in use: a room with no open turn and nothing waiting is forgotten once
 * the rooms held pass {@link #SWEEP_FLOOR} and twice as many as the last sweep kept, and read again from the
 * store the next time it is appended to. Thread-safe.
 */
public final class OrderedRoomEvents {
    private static final System.Logger LOG = System.getLogger(OrderedRoomEvents.class.getName());
    private static final Runnable NOTHING = () -> { };
    /** Reports waiting for a missing earlier one, beyond which they are published anyway. */
    private static final int MAX_WAITING = 1024;
    /** Rooms held before idle ones are forgotten. */
    static final int SWEEP_FLOOR = 4096;

    private final EventPublisher publisher;
    private final RoomStore rooms;
    private final ConcurrentHashMap<String, RoomQueue> queues = new ConcurrentHashMap<>();
    private final Object sweeping = new Object();
    private volatile int sweepAbove = SWEEP_FLOOR;

    public OrderedRoomEvents(EventPublisher publisher, RoomStore rooms) {
        this.publisher = publisher;
        this.rooms = rooms;
    }

    /**
     * Opens a turn for an append to a room; call it before the append. When the room is not held, this reads
     * where its seq stands, so that the next seq is the first one published even when a later one commits first.
     * The reading is made while no other turn of the room can open or the room be forgotten, and every append
     * reported before it has committed, so it counts every seq but those of turns still to come.
     */
    public Turn appending(String roomId) {
        RoomQueue held = queues.get(roomId);
        if (held != null && held.open()) {
            return new Turn(held);
        }
        boolean[] added = new boolean[1];
        RoomQueue queue = queues.compute(roomId, (id, now) -> {
            RoomQueue q = now;
            if (q == null) {
                q = new RoomQueue(rooms.find(id).map(Room::lastSeq).orElse(0L) + 1);
                added[0] = true;
            }
            q.open(); // a queue in the map is never forgotten: that happens under this same lock
            return q;
        });
        if (added[0] && queues.size() > sweepAbove) {
            sweep();
        }
        return new Turn(queue);
    }

    /** Rooms held; for tests. */
    int roomsHeld() {
        return queues.size();
    }

    /** Forgets the rooms with no open turn and nothing waiting. */
    private void sweep() {
        synchronized (sweeping) {
            if (queues.size() <= sweepAbove) {
                return; // another thread has just swept
            }
            for (String roomId : queues.keySet()) {
                queues.computeIfPresent(roomId, (id, q) -> q.forget() ? null : q);
            }
            sweepAbove = Math.max(SWEEP_FLOOR, 2 * queues.size());
        }
    }

    /**
     * One append's place in its room's order: report the committed seq once, with one of the {@code committed}
     * methods, and close it in any case (a closed turn that reported nothing — a duplicate,
     * a failed append — holds back no later seq).
     */
    public final class Turn implements AutoCloseable {
        private final RoomQueue queue;
        private boolean done;

        private Turn(RoomQueue queue) {
            this.queue = queue;
        }

        /** Reports the seq just committed, with the events for it (possibly none) and their audience. */
        public void committed(long seq, Collection<String> audience, ChatEvent... events) {
            report(seq, audience, NOTHING, events);
        }

        /**
         * Reports the seq just committed, with its events and their audience, and what must run right after they
         * are published, in the room's order (see {@link #committed(long, Runnable)}; it must not block either).
         */
        public void committed(long seq, Collection<String> audience, Runnable then, ChatEvent... events) {
            report(seq, audience, then, events);
        }

        /**
         * Reports the seq just committed, whose events {@code publish} sends itself: it runs in the room's seq
         * order, after every earlier seq's events and before any later one's, on this thread before this returns
         * or later on the thread that reports the last missing earlier seq. It must not block. A bot's reply is
         * announced by its stream, and its {@code message.stream.end} is the one event that carries its seq: sent
         * this way, a client that resumes from the highest seq it was told misses nothing before it or after it.
         */
        public void committed(long seq, Runnable publish) {
            report(seq, List.of(), publish);
        }

        /** Ends the turn; when it reported nothing and was the room's last open one, nothing is left to wait for. */
        @Override
        public void close() {
            synchronized (queue) {
                if (end() && queue.open == 0) {
                    flush(queue);
                }
            }
        }

        /** Ends this turn in its room (with the queue's lock held); false when it had already ended. */
        private boolean end() {
            if (done) {
                return false;
            }
            done = true;
            queue.open--;
            return true;
        }

        /** {@code then} runs right after the events are published, in the room's order (see the reports above). */
        private void report(long seq, Collection<String> audience, Runnable then, ChatEvent... events) {
            Pending pending = new Pending(audience, events, then);
            synchronized (queue) {
                if (!end()) {
                    throw new IllegalStateException("this turn has already ended");
                }
                if (seq < queue.next) {
                    publish(pending); // a late report, after a vanished one's successors were let through
                    return;
                }
                queue.waiting.put(seq, pending);
                if (seq == queue.next) {
                    drain(queue);
                }
                if (queue.open == 0 || queue.waiting.size() > MAX_WAITING) {
                    flush(queue);
                }
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

    /** What waits for a seq that will not be reported: publish it, in order, rather than hold the room. */
    private void flush(RoomQueue queue) {
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
        }
        try {
            pending.then.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "publishing a room event failed", e);
        }
    }

    private record Pending(Collection<String> audience, ChatEvent[] events, Runnable then) {
    }

    private static final class RoomQueue {
        long next;
        int open;
        boolean forgotten;
        final TreeMap<Long, Pending> waiting = new TreeMap<>();

        RoomQueue(long next) {
            this.next = next;
        }

        /** Opens a turn; false when this queue was forgotten (the room is then read again). */
        synchronized boolean open() {
            if (forgotten) {
                return false;
            }
            open++;
            return true;
        }

        /** Forgets the queue when no turn is open and nothing waits; true when it did. */
        synchronized boolean forget() {
            forgotten = open == 0 && waiting.isEmpty();
            return forgotten;
        }
    }
}
