package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.json.EventFrames;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.in.StreamsUseCase.ActiveStream;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Principal;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsSession;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One open socket's life: its user, its delivery gate and outgoing queue, liveness, token expiry, and the way it
 * ends. A live event that finds the queue full closes the connection with 1013 rather than wait. The
 * {@code message} events it was given but never wrote to the socket (dropped for a slow consumer, still queued or
 * held when it ended, or given while it closed) are reported to the registry once the connection has left it, for
 * offline delivery. It holds no thread or timer of its own: the writer runs only while frames wait, and the
 * supervisor's sweep checks liveness and expiry. Thread-safe.
 */
final class SocketConnection {
    static final int SLOW_CONSUMER = 1013;
    private static final int POLICY_VIOLATION = 1008;
    private static final int TOKEN_EXPIRED = 4001;
    private static final long NEVER = Long.MAX_VALUE;

    private final WsSession session;
    private final Thread reader;
    private final long handshake;
    /** Its place among the registrations of the server ({@link Long#MAX_VALUE} until it registers). */
    private volatile long registration = Long.MAX_VALUE;
    private final String userId;
    private final ConnectionRegistry registry;
    private final ServerMetrics metrics;
    private final long openedAtNanos = System.nanoTime();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final OutgoingQueue out;
    private final DeliveryGate gate;
    private volatile Principal principal;
    private volatile long lastSeenNanos = openedAtNanos;
    private volatile long closeRequestedNanos;
    private volatile long expiryMillis = NEVER;
    /**
     * Since when the offline queue's passes find the queue too full to take re-deliveries and its writer taking
     * nothing from it (0 when not), and how much the writer had taken then.
     */
    private volatile long behindSinceNanos;
    private volatile long takenWhenBehind;
    /** Guards {@link #handling} and {@link #takingFrames}. */
    private final Object frames = new Object();
    private int handling;
    private boolean takingFrames = true;
    /** Guards {@link #unsent} and {@link #left}. */
    private final Object unsentLock = new Object();
    /** {@code message} events given and never written, until they are reported; null while there are none. */
    private List<ChatEvent> unsent;
    /** Set once the connection has left the registry: unsent events are reported as they come from then on. */
    private boolean left;

    /** Created on the connection's reading thread, which it watches to notice a dropped connection. */
    SocketConnection(WsSession session, long handshake, Principal principal, ConnectionRegistry registry,
                     ServerMetrics metrics, int maxQueued) {
        this.session = session;
        this.reader = Thread.currentThread();
        this.handshake = handshake;
        this.principal = principal;
        this.userId = principal.userId();
        this.registry = registry;
        this.metrics = metrics;
        this.out = new OutgoingQueue(session, maxQueued, this::abort, this::unsent);
        this.gate = new DeliveryGate(new DeliveryGate.Sink() {
            @Override
            public boolean offer(List<String> frames, List<ChatEvent> messages) {
                return enqueue(frames, messages, null);
            }

            @Override
            public boolean offer(List<String> frames, List<ChatEvent> messages, Runnable written) {
                return enqueue(frames, messages, written);
            }

            @Override
            public boolean offerDelta(ChatEvent.StreamDelta delta, String frame) {
                return closing.get() || out.offerDelta(delta, frame);
            }
        }, out.capacity(), this::unsent);
    }

    String userId() {
        return userId;
    }

    Principal principal() {
        return principal;
    }

    Duration age() {
        return Duration.ofNanos(System.nanoTime() - openedAtNanos);
    }

    /**
     * True while the outgoing queue is at most half full, in items and in text: the offline queue's re-delivery
     * of a backlog stops there
     * and goes on at its next pass, so its own burst never makes the connection a slow consumer, whose queued
     * frames would be lost with it.
     */
    boolean roomToRedeliver() {
        return out.queued() <= out.capacity() / 2 && out.queuedChars() <= OutgoingQueue.MAX_QUEUED_CHARS / 2;
    }

    /** A message the offline queue owes the client (see {@link DeliveryGate#redeliver}). */
    boolean redeliver(ChatEvent.MessageCreated event, String frame, Runnable written) {
        if (closing.get()) {
            return false;
        }
        // refused (the queue is full, or the room's held events are): not taken, and owed again at the next pass;
        // live traffic, not the re-delivery, decides whether the client is a slow consumer
        return gate.redeliver(event, frame, written);
    }

    /** How many items the writer has taken from the outgoing queue so far. */
    long taken() {
        return out.taken();
    }

    /** Data items in the outgoing queue that the writer has not taken yet. */
    int queuedItems() {
        return out.queued();
    }

    /** The queue had room for re-deliveries when last seen by the offline queue's pass. */
    void caughtUp() {
        behindSinceNanos = 0;
    }

    /**
     * True when the passes of the offline queue have found the queue too full to take re-deliveries since
     * {@code wait} ago, and its writer took nothing from it meanwhile: the client stopped reading. A client that
     * reads, however slowly, starts the count again at every pass.
     */
    boolean behindLongerThan(Duration wait, long nowNanos) {
        long taken = out.taken();
        if (behindSinceNanos == 0 || taken != takenWhenBehind) {
            takenWhenBehind = taken;
            behindSinceNanos = nowNanos == 0 ? 1 : nowNanos;
            return false;
        }
        return nowNanos - behindSinceNanos >= wait.toNanos();
    }

    /** The connection could not take a re-delivered message that its user's other connections took. */
    void fellBehind() {
        slowConsumer();
    }

    /** A live event from a publisher; false when it was not accepted (the connection is closing or too slow). */
    boolean deliver(ChatEvent event, String frame) {
        if (closing.get()) {
            metrics.broadcastDrops.incrementAndGet();
            if (DeliveryGate.isMessage(event)) {
                unsent(List.of(event)); // published as the connection left: the publisher may still have seen it
            }
            return false;
        }
        if (!gate.deliver(event, frame)) {
            slowConsumer();
            return false;
        }
        return true;
    }

    /** An answer to this client's own frame, queued behind what is already waiting. */
    void reply(String frame) {
        if (!enqueue(List.of(frame), List.of(), null)) {
            slowConsumer();
        }
    }

    /** Ends the initial hold with the mid-stream catch-up (see {@link DeliveryGate#opened}). */
    void caughtUp(List<ActiveStream> streams) {
        if (!gate.opened(streams)) {
            slowConsumer();
        }
    }

    /** Holds a room's live events while its replay is fetched. */
    void holdRoom(String roomId) {
        gate.holdRoom(roomId);
    }

    /** Queues a room's replay and catch-up, then its held events (see {@link DeliveryGate#resumed}). */
    void resumed(String roomId, List<String> leading, long lastSeq, long lastReplayed, List<ActiveStream> streams) {
        if (!gate.resumed(roomId, leading, lastSeq, lastReplayed, streams)) {
            slowConsumer();
        }
    }

    /** Ends a room's hold after a refused resume: {@code leading} (the error), then the held events. */
    void released(String roomId, List<String> leading) {
        if (!gate.released(roomId, leading)) {
            slowConsumer();
        }
    }

    /**
     * A client's text message starts being handled on the reading thread; false once the server's stop has
     * stopped taking them (the message is then answered with an error and not acted on). Pair with
     * {@link #frameHandled}.
     */
    boolean handlingFrame() {
        synchronized (frames) {
            if (!takingFrames) {
                return false;
            }
            handling++;
            return true;
        }
    }

    void frameHandled() {
        synchronized (frames) {
            if (--handling == 0) {
                frames.notifyAll();
            }
        }
    }

    /** The stop has begun: no further client message is acted on. */
    void stopTakingFrames() {
        synchronized (frames) {
            takingFrames = false;
        }
    }

    /**
     * Waits until the client message being handled, if any, has its answer queued (a send's {@code message.sent},
     * say), at most until {@code deadlineNanos}; false when the deadline came first.
     */
    boolean awaitFramesHandled(long deadlineNanos) throws InterruptedException {
        synchronized (frames) {
            while (handling > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(frames, left);
            }
            return true;
        }
    }

    /** Any frame or pong from the client counts as life. */
    void touch() {
        lastSeenNanos = System.nanoTime();
    }

    long silentNanos(long now) {
        return now - lastSeenNanos;
    }

    /**
     * True when frames wait for the socket and it took one less than {@code nanos} before {@code now}: the client
     * reads a backlog, and the answer to the server's latest ping may wait behind what the socket holds.
     */
    boolean readingBacklog(long now, long nanos) {
        return out.writtenWhileBehind(now, nanos);
    }

    boolean closing() {
        return closing.get();
    }

    long closeRequestedNanos() {
        return closeRequestedNanos;
    }

    /** The place of its handshake among the server's: a later one is the newer connection. */
    long handshake() {
        return handshake;
    }

    long registration() {
        return registration;
    }

    /** Called by the registry as it adds the connection to its user's. */
    void registeredAs(long place) {
        this.registration = place;
    }

    boolean readerAlive() {
        return reader.isAlive();
    }

    void ping() {
        if (!closing.get()) {
            out.ping();
        }
    }

    void pong(byte[] payload) {
        if (!closing.get()) {
            out.offerPong(payload);
        }
    }

    /** A fresh token for the same user: new role, new expiry. */
    void refreshed(Principal next, Instant expiresAt, Duration leeway) {
        principal = next;
        expiresAt(expiresAt, leeway);
    }

    /** The token's expiry: from {@code expiresAt + leeway} on, the sweep ends the connection; null: never. */
    void expiresAt(Instant expiresAt, Duration leeway) {
        long millis = NEVER;
        if (expiresAt != null) {
            try {
                millis = expiresAt.plus(leeway).toEpochMilli();
            } catch (ArithmeticException | DateTimeException e) {
                // an expiry beyond what a long holds in milliseconds is never reached
            }
        }
        expiryMillis = millis;
    }

    /** Sends {@code auth.expired} and closes with 4001 once the token has expired; false if it has not. */
    boolean closeIfExpired(long nowMillis) {
        if (nowMillis < expiryMillis) {
            return false;
        }
        closeAfter(EventFrames::authExpired, TOKEN_EXPIRED, "token expired");
        return true;
    }

    /**
     * Sends a frame (outside the queue bound) and then closes; nothing if already closing. The frame's text is
     * made when it is written, after what was queued before it.
     */
    void closeAfter(Supplier<String> frame, int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            out.force(frame);
            queueClose(code, reason);
        }
    }

    /** Closes with 1008: the user's connections were at the cap when it opened. */
    void closeOverLimit() {
        close(POLICY_VIOLATION, "connection limit reached");
    }

    /** Closes after the frames already queued; the connection leaves the registry at once. */
    void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            queueClose(code, reason);
        }
    }

    private void queueClose(int code, String reason) {
        closeRequestedNanos = System.nanoTime();
        registry.unregister(this);
        leftRegistry();
        out.close(code, reason);
    }

    /** Drops the frame; the first publisher to find the queue full closes the connection (counted once). */
    private void slowConsumer() {
        metrics.broadcastDrops.incrementAndGet();
        if (closing.compareAndSet(false, true)) {
            metrics.slowConsumerCloses.incrementAndGet();
            out.clear();
            queueClose(SLOW_CONSUMER, "slow consumer");
        }
    }

    /** Cuts the TCP connection: for peers that do not answer a close, or whose socket broke. */
    void abort() {
        out.interruptWriter();
        if (session instanceof ServerConnection connection) {
            connection.close(true);
        }
        ended();
    }

    /** The connection is gone (closed, failed or cut): leave the registry and stop the writer. Idempotent. */
    void ended() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        closing.set(true);
        registry.unregister(this);
        registry.forget(this);
        leftRegistry();
        out.stop();
        unsent(gate.drainHeld());
    }

    /** True once the connection has ended: nothing more is written to its socket. */
    boolean hasEnded() {
        return ended.get();
    }

    /** Waits until the writer has finished; false when it had not by the deadline. */
    boolean awaitWriter(long deadlineNanos) throws InterruptedException {
        return out.awaitWriter(deadlineNanos);
    }

    /** Frames that come once the connection is closing are dropped, and their messages reported unsent. */
    private boolean enqueue(List<String> frames, List<ChatEvent> messages, Runnable written) {
        if (closing.get()) {
            unsent(messages);
            return true;
        }
        return out.offer(frames, messages, written);
    }

    /**
     * {@code message} events this connection will never write: kept until it has left the registry, then
     * reported, so that the user's other connections are known when they are reported.
     */
    private void unsent(List<ChatEvent> messages) {
        if (messages.isEmpty()) {
            return;
        }
        List<ChatEvent> report;
        synchronized (unsentLock) {
            if (!left) {
                if (unsent == null) {
                    unsent = new ArrayList<>();
                }
                unsent.addAll(messages);
                return;
            }
            report = messages;
        }
        registry.unsent(this, report);
    }

    /** The connection has left the registry: reports what was kept unsent until now. */
    private void leftRegistry() {
        List<ChatEvent> report;
        synchronized (unsentLock) {
            left = true;
            report = unsent;
            unsent = null;
        }
        if (report != null) {
            registry.unsent(this, report);
        }
    }
}
