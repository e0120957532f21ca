package io.chatapi.adapters.ws;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps sockets honest: a WebSocket ping to each every ping interval; a sweep that closes connections whose token
 * has expired or that were silent for the idle timeout, cuts those that do not finish closing within a grace
 * period, and forgets those whose reading thread is gone (Helidon does not report a TCP connection dropped without
 * a close frame). The sweep runs at least once a second, so it also serves as the token expiry timer instead of a
 * timer per connection. Its one timer thread only queues work; it never writes to a socket itself.
 */
final class SocketSupervisor {
    private static final int IDLE_CLOSE = 1001;
    private static final long SWEEP_MILLIS_MAX = 1000;

    private final ConnectionRegistry registry;
    private final long idleNanos;
    private final long graceNanos;
    private final ScheduledThreadPoolExecutor timers;

    SocketSupervisor(ConnectionRegistry registry, Duration pingInterval, Duration idleTimeout) {
        this.registry = registry;
        this.idleNanos = idleTimeout.toNanos();
        this.graceNanos = Math.min(Duration.ofSeconds(5).toNanos(), idleNanos);
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "ws-timers");
            t.setDaemon(true);
            return t;
        });
        long ping = Math.max(1, pingInterval.toMillis());
        long sweep = Math.max(10, Math.min(SWEEP_MILLIS_MAX, idleTimeout.toMillis() / 4));
        timers.scheduleAtFixedRate(this::pingAll, ping, ping, TimeUnit.MILLISECONDS);
        timers.scheduleAtFixedRate(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    }

    private void pingAll() {
        for (SocketConnection connection : registry.all()) {
            connection.ping();
        }
    }

    void sweep() {
        long now = System.nanoTime();
        long nowMillis = System.currentTimeMillis();
        for (SocketConnection connection : registry.all()) {
            if (!connection.readerAlive()) {
                connection.ended();
            } else if (connection.closing()) {
                if (now - connection.closeRequestedNanos() > graceNanos) {
                    connection.abort();
                }
            } else if (!connection.closeIfExpired(nowMillis) && connection.silentNanos(now) > idleNanos) {
                connection.close(IDLE_CLOSE, "idle timeout");
            }
        }
    }

    void stop() {
        timers.shutdownNow();
    }
}
