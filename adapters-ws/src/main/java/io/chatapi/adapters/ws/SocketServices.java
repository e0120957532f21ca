package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.auth.JwtVerifier;
import io.chatapi.adapters.ws.json.EventFrames;
import io.chatapi.application.ServerMetrics;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/** What every socket of one server shares: settings, token checks, use cases, registry, timers. */
record SocketServices(TransportSettings settings, JwtVerifier verifier, UseCases useCases,
                      ConnectionRegistry registry, SocketSupervisor supervisor, ServerMetrics metrics,
                      AtomicBoolean stopping) {
    private static final int SERVICE_RESTART = 1012;
    private static final long MIN_RECONNECT_MS = 1000;

    /**
     * Tells a socket that the server is stopping: {@code server.shutdown} with a reconnect delay drawn uniformly
     * between 1 s and {@code SHUTDOWN_RECONNECT_MAX}, so that clients come back spread out, then close 1012.
     */
    void shutDown(SocketConnection connection) {
        long maxMs = Math.max(MIN_RECONNECT_MS, settings.shutdownReconnectMax().toMillis());
        long after = ThreadLocalRandom.current().nextLong(MIN_RECONNECT_MS, maxMs + 1);
        connection.closeAfter(EventFrames.shutdown(after), SERVICE_RESTART, "server shutdown");
    }
}
