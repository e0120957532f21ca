package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.json.EventFrames;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.in.StreamsUseCase.ActiveStream;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Principal;
import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsSession;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One open socket: a bounded outgoing queue drained by one writer (a virtual thread), so that sends never
 * interleave and a slow client never delays its publisher. A full queue closes the connection with 1013.
 * Frames, pings, pongs and the close frame all leave through the writer. Thread-safe.
 */
final class SocketConnection {
    static final int SLOW_CONSUMER = 1013;
    private static final Logger LOG = Logger.getLogger(SocketConnection.class.getName());
    private static final AtomicLong IDS = new AtomicLong();

    private sealed interface Outgoing {
    }

    private record Frames(List<String> frames) implements Outgoing {
    }

    private record Ping() implements Outgoing {
    }

    private record Pong(byte[] payload) implements Outgoing {
    }

    private record Close(int code, String reason) implements Outgoing {
    }

    private record Stop() implements Outgoing {
    }

    private final long id = IDS.incrementAndGet();
    private final WsSession session;
    private final Thread reader;
    private final String userId;
    private final ConnectionRegistry registry;
    private final ServerMetrics metrics;
    private final int maxQueued;
    private final long openedAtNanos = System.nanoTime();
    private final LinkedBlockingQueue<Outgoing> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean pingQueued = new AtomicBoolean();
    private final DeliveryGate gate;
    private volatile Principal principal;
    private volatile long lastSeenNanos = openedAtNanos;
    private volatile long closeRequestedNanos;
    private volatile Thread writer;
    private ScheduledFuture<?> expiry;

    SocketConnection(WsSession session, Principal principal, ConnectionRegistry registry, ServerMetrics metrics,
                     int maxQueued) {
        this.session = session;
        this.reader = Thread.currentThread();
        this.principal = principal;
        this.userId = principal.userId();
        this.registry = registry;
        this.metrics = metrics;
        this.maxQueued = Math.max(1, maxQueued);
        this.gate = new DeliveryGate(this::enqueue, this.maxQueued);
    }

    void startWriter() {
        writer = Thread.ofVirtual().name("ws-writer-" + id).start(this::writeLoop);
    }

    long id() {
        return id;
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

    /** A live event from a publisher; false when it was not accepted (the connection is closing or too slow). */
    boolean deliver(ChatEvent event, String frame) {
        if (closing.get()) {
            metrics.broadcastDrops.incrementAndGet();
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
        if (!enqueue(List.of(frame))) {
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
    void resumed(String roomId, List<String> leading, long lastSeq, List<ActiveStream> streams) {
        if (!gate.resumed(roomId, leading, lastSeq, streams)) {
            slowConsumer();
        }
    }

    /** Ends a room's hold after a refused resume: {@code leading} (the error), then the held events. */
    void released(String roomId, List<String> leading) {
        if (!gate.released(roomId, leading)) {
            slowConsumer();
        }
    }

    void touch() {
        lastSeenNanos = System.nanoTime();
    }

    long silentNanos(long now) {
        return now - lastSeenNanos;
    }

    boolean closing() {
        return closing.get();
    }

    long closeRequestedNanos() {
        return closeRequestedNanos;
    }

    boolean readerAlive() {
        return reader.isAlive();
    }

    void ping() {
        if (!closing.get() && pingQueued.compareAndSet(false, true)) {
            queue.add(new Ping());
        }
    }

    void pong(byte[] payload) {
        if (closing.get()) {
            return;
        }
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            slowConsumer();
            return;
        }
        queue.add(new Pong(payload));
    }

    /** A fresh token for the same user: new role, new expiry. */
    void refreshed(Principal next, Instant expiresAt, Duration leeway, ScheduledExecutorService timers) {
        principal = next;
        scheduleExpiry(expiresAt, leeway, timers);
    }

    /** Sends {@code auth.expired} and closes with 4001 at {@code expiresAt + leeway}; null cancels. */
    synchronized void scheduleExpiry(Instant expiresAt, Duration leeway, ScheduledExecutorService timers) {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
        if (expiresAt != null && !closing.get()) {
            long delay = Math.max(0, Duration.between(Instant.now(), expiresAt.plus(leeway)).toMillis());
            expiry = timers.schedule(this::expire, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void expire() {
        closeAfter(EventFrames.authExpired(), 4001, "token expired");
    }

    /** Sends {@code frame} (outside the queue bound) and then closes; nothing if already closing. */
    void closeAfter(String frame, int code, String reason) {
        if (!closing.get()) {
            queue.add(new Frames(List.of(frame)));
            queued.incrementAndGet();
            close(code, reason);
        }
    }

    /** Closes after the frames already queued; the connection leaves the registry at once. */
    void close(int code, String reason) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closeRequestedNanos = System.nanoTime();
        cancelExpiry();
        registry.unregister(this);
        queue.add(new Close(code, reason));
    }

    private void slowConsumer() {
        metrics.broadcastDrops.incrementAndGet();
        if (closing.get()) {
            return;
        }
        metrics.slowConsumerCloses.incrementAndGet();
        queue.clear();
        queued.set(0);
        close(SLOW_CONSUMER, "slow consumer");
    }

    /** Cuts the TCP connection: for peers that do not answer a close, or that broke a write. */
    void abort() {
        Thread w = writer;
        if (w != null) {
            w.interrupt();
        }
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
        cancelExpiry();
        registry.unregister(this);
        registry.forget(this);
        queue.clear();
        queue.add(new Stop());
    }

    boolean isEnded() {
        return ended.get();
    }

    /** Waits until the writer has finished; false when it had not by the deadline. */
    boolean awaitWriter(long deadlineNanos) throws InterruptedException {
        Thread w = writer;
        if (w == null) {
            return true;
        }
        long left = deadlineNanos - System.nanoTime();
        return left > 0 ? w.join(Duration.ofNanos(left)) : !w.isAlive();
    }

    private synchronized void cancelExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    private boolean enqueue(List<String> frames) {
        if (closing.get()) {
            return true;
        }
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            return false;
        }
        queue.add(new Frames(frames));
        return true;
    }

    private void writeLoop() {
        try {
            while (true) {
                Outgoing item = queue.take();
                switch (item) {
                    case Frames f -> {
                        queued.decrementAndGet();
                        for (String frame : f.frames()) {
                            session.send(frame, true);
                        }
                    }
                    case Ping p -> {
                        pingQueued.set(false);
                        session.ping(BufferData.empty());
                    }
                    case Pong p -> {
                        queued.decrementAndGet();
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
            LOG.log(Level.FINE, "write failed, dropping connection {0}", id);
            abort();
        }
    }
}
