package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.json.EventFrames;
import io.chatapi.application.port.out.ChatEvent;
import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsSession;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One socket's outgoing side: a bounded queue and at most one writer (a virtual thread) that drains it, so sends never
 * interleave and never run on a publisher's thread. The writer exists only while there is something to send: the offer
 * that finds no writer running starts one, and the writer ends when the queue is empty, so an idle socket holds no
 * thread. Data items count against the bound; pings, pongs, close frames and the few frames that must precede a close
 * do not. Offering never blocks. A ping or pong that is due goes ahead of the data waiting (RFC 6455 §5.5 lets control
 * frames come between messages): it is written right after the current write, so a client that reads a long backlog
 * slowly answers the server's ping within the idle timeout instead of after the whole backlog, and a client's ping is
 * answered as soon as the socket takes it. The {@code message} events of data items are kept beside their text: those
 * the writer never takes, because the queue was cleared or stopped first, go to {@code unsent}. A reply's delta that
 * comes while the previous item queued is a delta of the same reply, not yet taken, and ending where this one starts,
 * is appended to it instead of taking a place of its own: a burst of deltas from the LLM that comes faster than the
 * socket is written goes out as fewer, longer deltas (the same text at the same offsets) instead of filling the queue.
 * Thread-safe.
 */
final class OutgoingQueue {
    private static final Logger LOG = Logger.getLogger(OutgoingQueue.class.getName());
    private static final ThreadFactory WRITERS = Thread.ofVirtual().name("ws-writer")
            .inheritInheritableThreadLocals(false).factory();
    private static final VarHandle SIGNALS;
    private static final VarHandle COUNTED;
    private static final VarHandle QUEUED_CHARS;
    /**
     * The most text the queue holds, in UTF-16 units, besides its count of items: one item can be a whole resume
     * replay (up to a million characters), and a client that keeps asking for replays without reading them would
     * otherwise fill the heap. A batch that finds the queue empty is taken whatever its size.
     */
    static final long MAX_QUEUED_CHARS = 8L << 20;
    private static final VarHandle PING_QUEUED;
    private static final VarHandle WRITER;
    private static final VarHandle LAST_ADDED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SIGNALS = lookup.findVarHandle(OutgoingQueue.class, "signals", int.class);
            COUNTED = lookup.findVarHandle(OutgoingQueue.class, "counted", int.class);
            QUEUED_CHARS = lookup.findVarHandle(OutgoingQueue.class, "queuedChars", long.class);
            PING_QUEUED = lookup.findVarHandle(OutgoingQueue.class, "pingQueued", boolean.class);
            WRITER = lookup.findVarHandle(OutgoingQueue.class, "writer", Thread.class);
            LAST_ADDED = lookup.findVarHandle(OutgoingQueue.class, "lastAdded", Item.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private sealed interface Item {
    }

    /**
     * {@code chars}: their text in UTF-16 units, counted against {@link #MAX_QUEUED_CHARS} while queued;
     * {@code messages}: the {@code message} events the frames carry; {@code written}: run once they are written to
     * the socket, or null.
     */
    private record Frames(List<String> frames, long chars, List<ChatEvent> messages, Runnable written)
            implements Item {
    }

    /** A frame whose text is made when it is written (what it says depends on that moment). */
    private record Deferred(Supplier<String> frame) implements Item {
    }

    private record Close(int code, String reason) implements Item {
    }

    /**
     * A reply's delta, with the deltas of the same reply appended to it while it waits. The writer takes it
     * ({@link #take}) before it writes it, after which nothing more is appended.
     */
    private static final class Delta implements Item {
        private final ChatEvent.StreamDelta first;
        /** The frame as published, while nothing is appended (one text shared by every socket it went to). */
        private String frame;
        private StringBuilder text;
        private int end;
        private long chars;
        private boolean taken;

        Delta(ChatEvent.StreamDelta first, String frame) {
            this.first = first;
            this.frame = frame;
            this.end = first.offset() + first.delta().length();
            this.chars = frame.length();
        }

        /** Appends {@code next} ({@code chars} of text) unless taken, of another reply, or not where this ends. */
        synchronized boolean append(ChatEvent.StreamDelta next, long nextChars) {
            if (taken || next.offset() != end || !next.messageId().equals(first.messageId())) {
                return false;
            }
            if (text == null) {
                text = new StringBuilder(first.delta());
            }
            text.append(next.delta());
            end += next.delta().length();
            chars += nextChars;
            frame = null;
            return true;
        }

        /** Takes it off the queue's counts: nothing is appended from now on; returns the text it counted. */
        synchronized long take() {
            taken = true;
            return chars;
        }

        synchronized String frame() {
            if (frame == null) {
                frame = EventFrames.event(new ChatEvent.StreamDelta(first.roomId(), first.messageId(),
                        text.toString(), first.offset()));
            }
            return frame;
        }
    }

    private final WsSession session;
    private final QueuedText text;
    private final int capacity;
    /**
     * The payload of the pong due; null when none is. Pings that come faster than their pongs are written get one
     * pong, for the latest (RFC 6455 §5.5.3 allows it), so a ping flood from a client costs one pong at a time.
     * Set by the connection's reading thread only.
     */
    private final AtomicReference<byte[]> pongPayload = new AtomicReference<>();
    private final Runnable onWriteFailure;
    private final Consumer<List<ChatEvent>> unsent;
    private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
    /**
     * Items added, pings and pongs made due, not yet accounted for by the writer; the signal that moves it from 0
     * starts the writer.
     */
    private volatile int signals;
    private volatile int counted;
    /** The text of the queued {@link Frames}, in UTF-16 units. */
    private volatile long queuedChars;
    /** Items the writer has taken, ever: it moves while the client reads, and stops when it stops reading. */
    private volatile long taken;
    /** When the writer last took an item, as {@link System#nanoTime()}. */
    private volatile long lastTakenNanos = System.nanoTime();
    private volatile boolean pingQueued;
    /** Set once the close frame was sent, the queue was stopped or a write failed: nothing more is written. */
    private volatile boolean finished;
    private volatile Thread writer;
    /**
     * The item added last when it is a {@link Delta} not yet taken, which takes the next delta of its reply;
     * null otherwise, so that nothing written stays referenced.
     */
    private volatile Item lastAdded;

    OutgoingQueue(WsSession session, int capacity, Runnable onWriteFailure, Consumer<List<ChatEvent>> unsent) {
        this(session, capacity, onWriteFailure, unsent, QueuedText.PROCESS);
    }

    /** {@code text}: the text queued in the process, which this queue's text counts in. */
    OutgoingQueue(WsSession session, int capacity, Runnable onWriteFailure, Consumer<List<ChatEvent>> unsent,
                  QueuedText text) {
        this.text = text;
        this.session = session;
        this.capacity = Math.max(1, capacity);
        this.onWriteFailure = onWriteFailure;
        this.unsent = unsent;
    }

    /** Text of the queued frames not yet taken by the writer, in UTF-16 units. */
    long queuedChars() {
        return queuedChars;
    }

    /** How many items the writer has taken since the queue was made. */
    long taken() {
        return taken;
    }

    /**
     * True when data waits and the writer took an item less than {@code nanos} before {@code now}: the socket takes
     * what is written, so the client is reading it, however slowly.
     */
    boolean writtenWhileBehind(long now, long nanos) {
        return counted > 0 && now - lastTakenNanos < nanos;
    }

    /** Data items queued and not yet taken by the writer. */
    int queued() {
        return counted;
    }

    int capacity() {
        return capacity;
    }

    /**
     * Queues frames sent back to back, with the {@code message} events among them; false when the queue is full,
     * in items or in text.
     */
    boolean offer(List<String> frames, List<ChatEvent> messages) {
        return offer(frames, messages, null);
    }

    /** As {@link #offer(List, List)}; {@code written} runs once the frames are written to the socket. */
    boolean offer(List<String> frames, List<ChatEvent> messages, Runnable written) {
        long chars = chars(frames);
        if (!addChars(chars)) {
            return false;
        }
        if (!counted(new Frames(frames, chars, messages, written))) {
            removeChars(chars);
            return false;
        }
        return true;
    }

    /**
     * Counts {@code chars} more text queued, here and in the process; false, counting nothing, when this queue
     * holds text already and either would pass its bound. Text offered to an empty queue is always taken: a client
     * that reads is never refused its next frame, however big, while those that do not read are refused theirs.
     */
    private boolean addChars(long chars) {
        long before = (long) QUEUED_CHARS.getAndAdd(this, chars);
        long all = text.add(chars);
        if (before > 0 && (before + chars > MAX_QUEUED_CHARS || all > text.max())) {
            removeChars(chars);
            return false;
        }
        return true;
    }

    private void removeChars(long chars) {
        QUEUED_CHARS.getAndAdd(this, -chars);
        text.add(-chars);
    }

    /**
     * Queues a reply's delta, {@code frame} being its text, or appends it to the delta queued last when that one
     * is of the same reply, waits still and ends where this one starts; false when the queue is full.
     */
    boolean offerDelta(ChatEvent.StreamDelta delta, String frame) {
        if (lastAdded instanceof Delta last) {
            long chars = delta.delta().length();
            if (!addChars(chars)) {
                return false;
            }
            if (last.append(delta, chars)) {
                return true;
            }
            removeChars(chars);
        }
        long chars = frame.length();
        if (!addChars(chars)) {
            return false;
        }
        if (!counted(new Delta(delta, frame))) {
            removeChars(chars);
            return false;
        }
        return true;
    }

    private static long chars(List<String> frames) {
        long chars = 0;
        for (String frame : frames) {
            chars += frame.length();
        }
        return chars;
    }

    /** Makes a pong due, or has the one due answer this later ping instead. */
    void offerPong(byte[] payload) {
        if (pongPayload.getAndSet(payload) == null) {
            signal();
        } // else a pong is due already: it answers this ping instead of the earlier one
    }

    /** Queues a frame outside the bound (it precedes a close), its text made by {@code frame} when it is written. */
    void force(Supplier<String> frame) {
        COUNTED.getAndAdd(this, 1);
        add(new Deferred(frame));
    }

    /** Makes a ping due unless one is already. */
    void ping() {
        if (PING_QUEUED.compareAndSet(this, false, true)) {
            signal();
        }
    }

    /** Queues the close frame; the writer sends nothing after it. */
    void close(int code, String reason) {
        add(new Close(code, reason));
    }

    /** Drops everything waiting; the {@code message} events dropped go to {@code unsent}. */
    void clear() {
        List<ChatEvent> dropped = List.of();
        Item item;
        while ((item = queue.poll()) != null) {
            uncount(item);
            if (item instanceof Frames f && !f.messages().isEmpty()) {
                if (dropped.isEmpty()) {
                    dropped = new ArrayList<>();
                }
                dropped.addAll(f.messages());
            }
        }
        if (!dropped.isEmpty()) {
            unsent.accept(dropped);
        }
    }

    /** Takes an item off the counts of what waits. */
    private void uncount(Item item) {
        switch (item) {
            case Frames f -> {
                COUNTED.getAndAdd(this, -1);
                removeChars(f.chars());
            }
            case Deferred d -> COUNTED.getAndAdd(this, -1);
            case Delta d -> {
                COUNTED.getAndAdd(this, -1);
                removeChars(taken(d));
            }
            case Close c -> {
            }
        }
    }

    /** Takes a delta off the queue: nothing more is appended to it; returns the text it counted. */
    private long taken(Delta d) {
        long chars = d.take();
        LAST_ADDED.compareAndSet(this, d, null);
        return chars;
    }

    /** Sends nothing more: drops what is waiting, and a writer still running ends after its current write. */
    void stop() {
        finished = true;
        clear();
    }

    /** Interrupts the writer, if one is running; a write blocked on the socket fails and the socket is closed. */
    void interruptWriter() {
        Thread w = writer;
        if (w != null) {
            w.interrupt();
        }
    }

    /** Whether a writer is running (none while the queue is empty and idle). */
    boolean writerRunning() {
        return writer != null || signals != 0;
    }

    /** Waits until no writer runs and nothing is left to write; false when that was not so by the deadline. */
    boolean awaitWriter(long deadlineNanos) throws InterruptedException {
        while (true) {
            Thread w = writer;
            long left = deadlineNanos - System.nanoTime();
            if (w != null) {
                if (left <= 0 || !w.join(Duration.ofNanos(left))) {
                    return false;
                }
            } else if (signals == 0) {
                return true;
            } else if (left <= 0) {
                return false;
            } else {
                // an offer is between counting its item and starting the writer
                Thread.yield();
            }
        }
    }

    private boolean counted(Item item) {
        if ((int) COUNTED.getAndAdd(this, 1) >= capacity) {
            COUNTED.getAndAdd(this, -1);
            return false;
        }
        add(item);
        return true;
    }

    /** Queues an item, then starts the writer unless one is running; it will see the item before it ends. */
    private void add(Item item) {
        // before the item is queued, so that the writer, which clears it when it takes a delta, comes after
        lastAdded = item instanceof Delta ? item : null;
        queue.add(item);
        signal();
    }

    /** Starts the writer unless one is running; it will see what was made due before this call before it ends. */
    private void signal() {
        if ((int) SIGNALS.getAndAdd(this, 1) == 0) {
            Thread w = WRITERS.newThread(this::drain);
            writer = w;
            w.start();
        }
    }

    /** The writer: sends what is queued, and ends when no signal is left unaccounted for. */
    private void drain() {
        int accounted = 1;
        try {
            while (true) {
                writeQueued();
                accounted = (int) SIGNALS.getAndAdd(this, -accounted) - accounted;
                if (accounted == 0) {
                    return;
                }
            }
        } finally {
            WRITER.compareAndSet(this, Thread.currentThread(), null);
        }
    }

    /** Writes the items queued, in order, each after the ping and pong due; returns when the queue is empty. */
    private void writeQueued() {
        while (true) {
            writeControl();
            Item item = queue.poll();
            if (item == null) {
                return;
            }
            taken++; // one writer at a time
            lastTakenNanos = System.nanoTime();
            if (!(item instanceof Close)) {
                COUNTED.getAndAdd(this, -1);
            }
            if (item instanceof Frames f) {
                removeChars(f.chars());
            } else if (item instanceof Delta d) {
                removeChars(taken(d));
            }
            if (!finished) {
                write(item);
            } else if (item instanceof Frames f && !f.messages().isEmpty()) {
                unsent.accept(f.messages()); // queued as the queue stopped
            }
        }
    }

    /** Writes the ping and the pong that are due, if any. */
    private void writeControl() {
        if (finished) {
            return;
        }
        try {
            if (pingQueued) {
                pingQueued = false;
                session.ping(BufferData.empty());
            }
            byte[] payload = pongPayload.getAndSet(null);
            if (payload != null) {
                session.pong(BufferData.create(payload));
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void write(Item item) {
        try {
            switch (item) {
                case Frames f -> {
                    for (String frame : f.frames()) {
                        session.send(frame, true);
                    }
                    if (f.written() != null) {
                        f.written().run();
                    }
                }
                case Deferred d -> session.send(d.frame().get(), true);
                case Delta d -> session.send(d.frame(), true);
                case Close c -> {
                    finished = true;
                    session.close(c.code(), c.reason());
                }
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(RuntimeException e) {
        LOG.log(Level.FINE, "socket write failed", e);
        finished = true;
        onWriteFailure.run();
    }
}
