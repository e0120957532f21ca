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

    /**
     * Tells a socket that the server is stopping: {@code server.shutdown} with a reconnect delay drawn uniformly
     * between 1 s and what is left of {@code SHUTDOWN_RECONNECT_MAX} counted from the start of the stop, then close
     * 1012. The delay is drawn when the notice is written, not when it is queued: telling thousands of sockets
     * takes a while, and a socket told late, or one that opened while the server stopped, still comes back
     * within {@code SHUTDOWN_RECONNECT_MAX} of the stop. Once less than 1 s is left, the delay is 1 s.
     */
    void shutDown(SocketConnection connection) {
        connection.closeAfter(() -> EventFrames.shutdown(reconnectAfterMs()), SERVICE_RESTART, "server shutdown");
    }

    private long reconnectAfterMs() {
        long leftMs = settings.shutdownReconnectMax().toMillis() - stopping.elapsedMillis();
        return ThreadLocalRandom.current().nextLong(MIN_RECONNECT_MS, Math.max(MIN_RECONNECT_MS, leftMs) + 1);
    }
}
