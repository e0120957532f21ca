package io.chatapi.adapters.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsSession;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One socket's outgoing side: a bounded queue and the one writer (a virtual thread) that drains it, so sends never
 * interleave and never run on a publisher's thread. Data items count against the bound; pings, close frames and
 * the few frames that must precede a close do not. Offering never blocks. Thread-safe.
 */
final class OutgoingQueue {
    private static final Logger LOG = Logger.getLogger(OutgoingQueue.class.getName());

    private sealed interface Item {
    }

    private record Frames(List<String> frames) implements Item {
    }

    private record Ping() implements Item {
    }

    private record Pong(byte[] payload) implements Item {
    }

    private record Close(int code, String reason) implements Item {
    }

    private record Stop() implements Item {
    }

    private final WsSession session;
    private final int capacity;
    private final Runnable onWriteFailure;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger counted = new AtomicInteger();
    private final AtomicBoolean pingQueued = new AtomicBoolean();
    private volatile Thread writer;

    OutgoingQueue(WsSession session, int capacity, Runnable onWriteFailure) {
        this.session = session;
        this.capacity = Math.max(1, capacity);
        this.onWriteFailure = onWriteFailure;
    }

    int capacity() {
        return capacity;
    }

    void start(String name) {
        writer = Thread.ofVirtual().name(name).start(this::writeLoop);
    }

    /** Queues frames sent back to back; false when the queue is full. */
    boolean offer(List<String> frames) {
        return counted(new Frames(frames));
    }

    /** Queues a pong; false when the queue is full. */
    boolean offerPong(byte[] payload) {
        return counted(new Pong(payload));
    }

    /** Queues a frame outside the bound (it precedes a close). */
    void force(String frame) {
        counted.incrementAndGet();
        queue.add(new Frames(List.of(frame)));
    }

    /** Queues a ping unless one is already waiting. */
    void ping() {
        if (pingQueued.compareAndSet(false, true)) {
            queue.add(new Ping());
        }
    }

    /** Queues the close frame; the writer ends after sending it. */
    void close(int code, String reason) {
        queue.add(new Close(code, reason));
    }

    /** Drops everything waiting. */
    void clear() {
        queue.clear();
        counted.set(0);
    }

    /** Ends the writer without sending anything more. */
    void stop() {
        clear();
        queue.add(new Stop());
    }

    /** Interrupts the writer; a write blocked on the socket fails and the socket is closed. */
    void interruptWriter() {
        Thread w = writer;
        if (w != null) {
            w.interrupt();
        }
    }

    /** Waits for the writer to end; false when it had not by the deadline. */
    boolean awaitWriter(long deadlineNanos) throws InterruptedException {
        Thread w = writer;
        if (w == null) {
            return true;
        }
        long left = deadlineNanos - System.nanoTime();
        return left > 0 ? w.join(Duration.ofNanos(left)) : !w.isAlive();
    }

    private boolean counted(Item item) {
        if (counted.incrementAndGet() > capacity) {
            counted.decrementAndGet();
            return false;
        }
        queue.add(item);
        return true;
    }

    private void writeLoop() {
        try {
            while (true) {
                switch (queue.take()) {
                    case Frames f -> {
                        counted.decrementAndGet();
                        for (String frame : f.frames()) {
                            session.send(frame, true);
                        }
                    }
                    case Ping p -> {
                        pingQueued.set(false);
                        session.ping(BufferData.empty());
                    }
                    case Pong p -> {
                        counted.decrementAndGet();
                        session.pong(BufferData.create(p.payload()));
                    }
                    case Close c -> {
                        session.close(c.code(), c.reason());
                        return;
                    }
                    case Stop s -> {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "socket write failed", e);
            onWriteFailure.run();
        }
    }
}
