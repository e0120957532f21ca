package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.auth.JwtVerifier;
import io.chatapi.application.ServerMetrics;
import java.util.concurrent.atomic.AtomicBoolean;

/** What every socket of one server shares: settings, token checks, use cases, registry, timers. */
record SocketServices(TransportSettings settings, JwtVerifier verifier, UseCases useCases,
                      ConnectionRegistry registry, SocketSupervisor supervisor, ServerMetrics metrics,
                      AtomicBoolean stopping) {
}
