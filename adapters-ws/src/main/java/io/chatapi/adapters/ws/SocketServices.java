package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.auth.JwtVerifier;
import io.chatapi.adapters.ws.json.EventFrames;
import io.chatapi.application.ServerMetrics;
import java.util.concurrent.ThreadLocalRandom;

/** What every socket of one server shares: settings, token checks, use cases, registry, timers. */
record SocketServices(TransportSettings settings, JwtVerifier verifier, UseCases useCases,
                      ConnectionRegistry registry, SocketSupervisor supervisor, ServerMetrics metrics,
                      StopSignal stopping) {
    private static final int SERVICE_RESTART = 1012;
    private static final long MIN_RECONNECT_MS = 1000;
    private static final long MAX_RESERVE_MS = 1000;

    /**
     * Tells a socket that the server is stopping: {@code server.shutdown} with a reconnect delay, then close 1012.
     * The delay is drawn uniformly between 1 s and what is left, counted from the start of the stop, of
     * {@code SHUTDOWN_RECONNECT_MAX} less its last tenth (at most 1 s), which is kept for the last clients to
     * connect and resume: every client is then back within {@code SHUTDOWN_RECONNECT_MAX} of the stop, not
     * merely setting out by then. The delay is drawn when the notice is written, not when it is queued: telling
     * thousands of sockets takes a while, and a socket told late, or one that opened while the server stopped,
     * still comes back in time. Once less than 1 s is left, the delay is 1 s.
     */
    void shutDown(SocketConnection connection) {
        connection.closeAfter(() -> EventFrames.shutdown(reconnectAfterMs()), SERVICE_RESTART, "server shutdown");
    }

    private long reconnectAfterMs() {
        long windowMs = settings.shutdownReconnectMax().toMillis();
        long leftMs = windowMs - Math.min(MAX_RESERVE_MS, windowMs / 10) - stopping.elapsedMillis();
        return ThreadLocalRandom.current().nextLong(MIN_RECONNECT_MS, Math.max(MIN_RECONNECT_MS, leftMs) + 1);
    }
}
