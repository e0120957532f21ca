package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.rest.AnswerCut;
import io.chatapi.adapters.ws.rest.AnswerWatch;
import io.chatapi.adapters.ws.rest.RequestLogFilter;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes an HTTP/1 connection whose request has not begun to be answered within {@code timeout} of its request
 * line: headers or a body that stop arriving part-way would otherwise hold the connection, and one of the
 * server's places, for as long as the client likes (Helidon reads a request with no time limit, and its idle
 * check leaves alone a connection that is reading one). Such a request is answered {@code 408} and its
 * connection closed. Armed when a request line has been read ({@link #receiving()}), disarmed when its answer
 * begins ({@link #sending()}) or when the request turns out to be a WebSocket upgrade. A handler taking that long
 * before it answers is cut the same way; none comes near it. It also watches the answers' writes
 * ({@link AnswerWatch}): a piece of an answer that its client has not taken within {@code timeout} closes the
 * connection. Thread-safe.
 */
final class StalledRequests implements AnswerWatch {
    private static final Logger LOG = Logger.getLogger(StalledRequests.class.getName());
    private static final byte[] TIMED_OUT = answer();

    /** How long the mark of a connection cut is kept for its request's route (which may never run) to find. */
    private static final long CUT_MARK_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** A request being read: when its request line came, when it is cut, and what its log line names. */
    private record Armed(long since, long deadline, String method, String path) {
    }

    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    private final Map<ConnectionContext, Armed> deadlines = new ConcurrentHashMap<>();
    /** Socket ids of connections cut, and when: their route's own log line would say 400. */
    private final Map<String, Long> cut = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timer;
    /** Writes of answers being made, by the thread making each. */
    private final Map<Thread, Writing> writes = new ConcurrentHashMap<>();

    /** A write of an answer: when it is cut, and whether it ended or was cut (guarded by itself). */
    private static final class Writing {
        final long deadline;
        boolean ended;
        boolean cut;

        Writing(long deadline) {
            this.deadline = deadline;
        }
    }

    StalledRequests(Duration timeout) {
        this(timeout, System::nanoTime);
    }

    StalledRequests(Duration timeout, LongSupplier nanoClock) {
        this.timeoutNanos = timeout.toNanos();
        this.nanoClock = nanoClock;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "http-stalled-requests");
            t.setDaemon(true);
            return t;
        });
        long sweep = Math.max(10, Math.min(1_000, timeout.toMillis() / 4));
        timer.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    /**
     * The requests' one receive listener: this, then {@code next} for each request's headers. One only: Helidon
     * 4.5.0 joins several into a listener that passes nothing on to them.
     */
    Http1ConnectionListener receiving(Http1ConnectionListener next) {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                long now = nanoClock.getAsLong();
                deadlines.put(ctx, new Armed(now, now + timeoutNanos, prologue.method().text(),
                        prologue.uriPath().rawPath()));
                next.prologue(ctx, prologue);
            }

            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                if (headers.contains(HeaderNames.UPGRADE)) {
                    deadlines.remove(ctx); // a WebSocket from now on: the socket supervisor watches its silence
                }
                next.headers(ctx, headers);
            }
        };
    }

    /** The answers' one send listener. */
    Http1ConnectionListener sending() {
        return new Http1ConnectionListener() {
            @Override
            public void status(ConnectionContext ctx, Status status) {
                deadlines.remove(ctx);
            }
        };
    }

    /**
     * Runs one write of an answer. One the client has not taken within the timeout is cut: its thread is interrupted,
     * which closes the socket of a write blocked on it, and this throws {@link AnswerCut}.
     */
    @Override
    public void write(AnswerWatch.Write write) throws IOException {
        Thread self = Thread.currentThread();
        Writing writing = new Writing(nanoClock.getAsLong() + timeoutNanos);
        writes.put(self, writing);
        try {
            write.run();
        } catch (IOException | RuntimeException e) {
            if (ended(self, writing)) {
                throw new AnswerCut("answer not taken in time", e);
            }
            throw e;
        }
        if (ended(self, writing)) {
            throw new AnswerCut("answer not taken in time");
        }
    }

    /** Marks the write ended; true when it was cut (the interrupt that cut it is then cleared). */
    private boolean ended(Thread self, Writing writing) {
        writes.remove(self, writing);
        boolean cut;
        synchronized (writing) {
            writing.ended = true;
            cut = writing.cut;
        }
        if (cut) {
            Thread.interrupted();
        }
        return cut;
    }

    /** Writes of answers being made. */
    int writing() {
        return writes.size();
    }

    /** Requests armed and not yet answered. */
    int waiting() {
        return deadlines.size();
    }

    /**
     * True, once, when the connection with this socket id was cut for its request arriving too slowly: that request's
     * 408 has its log line already.
     */
    boolean answeredByCut(String socketId) {
        return !cut.isEmpty() && cut.remove(socketId) != null;
    }

    void sweep() {
        long now = nanoClock.getAsLong();
        for (Map.Entry<ConnectionContext, Armed> entry : deadlines.entrySet()) {
            Armed armed = entry.getValue();
            if (now - armed.deadline() >= 0 && deadlines.remove(entry.getKey(), armed)) {
                cut.put(entry.getKey().childSocketId(), now);
                RequestLogFilter.logAnswer(StalledRequests.class, armed.method(), armed.path(), 408,
                        TimeUnit.NANOSECONDS.toMillis(now - armed.since()));
                cut(entry.getKey());
            }
        }
        cut.values().removeIf(at -> now - at - CUT_MARK_NANOS >= 0);
        for (Map.Entry<Thread, Writing> entry : writes.entrySet()) {
            Writing writing = entry.getValue();
            if (now - writing.deadline >= 0 && writes.remove(entry.getKey(), writing)) {
                synchronized (writing) {
                    if (!writing.ended) {
                        writing.cut = true;
                        entry.getKey().interrupt();
                    }
                }
                LOG.fine("closed a connection whose client took no part of its answer in time");
            }
        }
    }

    private static void cut(ConnectionContext ctx) {
        try {
            ctx.serverSocket().write(BufferData.create(TIMED_OUT));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "no 408 for a stalled request: {0}", e.toString());
        }
        try {
            ctx.serverSocket().close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing a stalled request's connection: {0}", e.toString());
        }
    }

    void stop() {
        timer.shutdownNow();
        deadlines.clear();
        writes.clear();
        cut.clear();
    }

    private static byte[] answer() {
        String body = "{\"error\":\"invalid_request\",\"message\":\"the request did not arrive in time\"}";
        return ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }
}
