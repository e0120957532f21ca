package io.chatapi.adapters.llm;

import io.chatapi.application.port.out.LlmOutcome;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Guards one LLM exchange: aborts it when no byte arrived for the idle time-out, when the total time-out
 * passes, or when {@link #abort} is called (cancellation). The first reason wins; the abort action is whatever
 * the exchange registered last (cancel the pending request, cancel the body), so a waiting call returns.
 * Thread-safe.
 */
final class Watchdog implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final long idleNanos;
    private volatile long lastActivity = System.nanoTime();
    private LlmOutcome reason;
    private String detail = "";
    private Runnable abortAction = () -> { };
    private boolean closed;
    private ScheduledFuture<?> idleCheck;
    private ScheduledFuture<?> totalCheck;

    private Watchdog(ScheduledExecutorService timer, Duration idle) {
        this.timer = timer;
        this.idleNanos = idle.toNanos();
    }

    /** Starts guarding; throws {@link java.util.concurrent.RejectedExecutionException} when the timer is shut. */
    static Watchdog start(ScheduledExecutorService timer, Duration idle, Duration total) {
        Watchdog dog = new Watchdog(timer, idle);
        synchronized (dog) {
            dog.idleCheck = timer.schedule(dog::checkIdle, dog.idleNanos, TimeUnit.NANOSECONDS);
            dog.totalCheck = timer.schedule(() -> dog.abort(LlmOutcome.TIMEOUT, "total time-out of " + total + " passed"),
                    total.toNanos(), TimeUnit.NANOSECONDS);
        }
        return dog;
    }

    /** Records that bytes arrived. */
    void touch() {
        lastActivity = System.nanoTime();
    }

    /** Aborts the exchange with outcome {@code why} unless it was already aborted or has finished. */
    void abort(LlmOutcome why, String description) {
        Runnable action;
        synchronized (this) {
            if (reason != null || closed) {
                return;
            }
            reason = why;
            detail = description;
            action = abortAction;
        }
        runQuietly(action);
    }

    /** Sets how to abort the exchange from now on; runs it at once when already aborted. */
    void onAbort(Runnable action) {
        synchronized (this) {
            if (reason == null) {
                abortAction = action;
                return;
            }
        }
        runQuietly(action);
    }

    /** Why the exchange was aborted, if it was. */
    synchronized Optional<LlmOutcome> aborted() {
        return Optional.ofNullable(reason);
    }

    /** What aborted the exchange, for the log; empty when it was not aborted. */
    synchronized String abortDetail() {
        return detail;
    }

    /** Wraps a body stream so that every byte read counts as activity. */
    InputStream watch(InputStream body) {
        return new FilterInputStream(body) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    touch();
                }
                return b;
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                int n = super.read(bytes, offset, length);
                if (n > 0) {
                    touch();
                }
                return n;
            }
        };
    }

    /** Stops guarding: later time-outs and aborts do nothing. */
    @Override
    public synchronized void close() {
        closed = true;
        idleCheck.cancel(false);
        totalCheck.cancel(false);
    }

    private void checkIdle() {
        long quiet = System.nanoTime() - lastActivity;
        if (quiet >= idleNanos) {
            abort(LlmOutcome.TIMEOUT, "no data for the idle time-out of " + Duration.ofNanos(idleNanos));
            return;
        }
        synchronized (this) {
            if (!closed && reason == null) {
                idleCheck = timer.schedule(this::checkIdle, idleNanos - quiet, TimeUnit.NANOSECONDS);
            }
        }
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            System.getLogger(Watchdog.class.getName())
                    .log(System.Logger.Level.DEBUG, "aborting an LLM exchange failed", e);
        }
    }
}
