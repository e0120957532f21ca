package io.chatapi.adapters.ws;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Keeps sockets honest: a WebSocket ping to each every ping interval; a sweep that closes connections whose token
 * has expired or that were silent for the idle timeout, unless they are reading a backlog (frames wait for the
 * socket and it took one within the idle timeout: the answer to the latest ping waits behind what the socket
 * holds), cuts those that do not finish closing within a grace period, and forgets those whose reading thread is
 * gone (Helidon does not report a TCP connection dropped without a close frame). The sweep runs at least once a
 * second, so it also serves as the token expiry timer instead of a timer per connection. Its one timer thread only
 * queues work; it never writes to a socket itself.
 *
 * <p>When the process was stopped (SIGSTOP, a frozen virtual machine) for more than {@link #PAUSE_SWEEPS} sweep
 * intervals, no ping went out and no pong could be read meanwhile: silence and close grace periods are then counted
 * from the sweep that notices it, so that sockets whose clients are alive are not closed as idle the moment the
 * process runs again.
 */
final class SocketSupervisor {
    private static final Logger LOG = Logger.getLogger(SocketSupervisor.class.getName());
    private static final int IDLE_CLOSE = 1001;
    private static final long SWEEP_MILLIS_MAX = 1000;
    /**
     * A sweep later than this many intervals (and at least {@link #PAUSE_MILLIS_MIN}) after the one before means
     * the process did not run meanwhile.
     */
    static final int PAUSE_SWEEPS = 5;
    private static final long PAUSE_MILLIS_MIN = 1000;

    private final ConnectionRegistry registry;
    private final long idleNanos;
    private final long graceNanos;
    private final long pauseNanos;
    private final LongSupplier nanoClock;
    private final ScheduledThreadPoolExecutor timers;
    /** Guarded by this (sweeps run on the timer thread, and in tests on theirs). */
    private long lastSweepNanos;
    private long resumedAtNanos;
    private boolean resumed;

    SocketSupervisor(ConnectionRegistry registry, Duration pingInterval, Duration idleTimeout) {
        this(registry, pingInterval, idleTimeout, System::nanoTime);
    }

    /** With {@code nanoClock} read as {@link System#nanoTime()}, which connections still use for their silence. */
    SocketSupervisor(ConnectionRegistry registry, Duration pingInterval, Duration idleTimeout, LongSupplier nanoClock) {
        this.registry = registry;
        this.nanoClock = nanoClock;
        this.lastSweepNanos = nanoClock.getAsLong();
        this.idleNanos = idleTimeout.toNanos();
        this.graceNanos = Math.min(Duration.ofSeconds(5).toNanos(), idleNanos);
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ws-timers");
            t.setDaemon(true);
            return t;
        });
        long ping = Math.max(1, pingInterval.toMillis());
        long sweep = Math.max(10, Math.min(SWEEP_MILLIS_MAX, idleTimeout.toMillis() / 4));
        this.pauseNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(PAUSE_MILLIS_MIN, sweep * PAUSE_SWEEPS));
        // with a fixed delay, runs missed while the process was stopped are not made up in a burst afterwards
        timers.scheduleWithFixedDelay(this::pingAll, ping, ping, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    private void pingAll() {
        for (SocketConnection connection : registry.all()) {
            connection.ping();
        }
    }

    synchronized void sweep() {
        long now = nanoClock.getAsLong();
        long nowMillis = System.currentTimeMillis();
        if (now - lastSweepNanos > pauseNanos) {
            LOG.info("no sweep ran for " + TimeUnit.NANOSECONDS.toMillis(now - lastSweepNanos) + " ms (the process "
                    + "was stopped or starved): socket silence is counted again from now");
            resumed = true;
            resumedAtNanos = now;
        }
        lastSweepNanos = now;
        for (SocketConnection connection : registry.all()) {
            if (!connection.readerAlive()) {
                connection.ended();
            } else if (connection.closing()) {
                if (sinceResumed(now, now - connection.closeRequestedNanos()) > graceNanos) {
                    connection.abort();
                }
            } else if (!connection.closeIfExpired(nowMillis)
                    && sinceResumed(now, connection.silentNanos(now)) > idleNanos
                    && !connection.readingBacklog(now, idleNanos)) {
                connection.close(IDLE_CLOSE, "idle timeout");
            }
        }
    }

    /** {@code elapsed}, less what of it passed before the last pause ended. */
    private long sinceResumed(long now, long elapsed) {
        return resumed ? Math.min(elapsed, now - resumedAtNanos) : elapsed;
    }

    void stop() {
        timers.shutdownNow();
    }
}
