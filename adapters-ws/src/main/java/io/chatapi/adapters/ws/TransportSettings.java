package io.chatapi.adapters.ws;

import java.time.Duration;
import java.util.Set;

/**
 * The transport's settings: bind address, JWT checks, browser origins, socket and body limits, shutdown.
 *
 * @param allowedOrigins empty: no browser origin; containing {@code *}: every origin
 * @param requestTimeout from an HTTP request line to the start of its answer, at most (then 408)
 */
public record TransportSettings(String host, int port, byte[] jwtSecret, Duration jwtLeeway, boolean jwtRequireExp,
                                String jwtIssuer, String jwtAudience, Set<String> allowedOrigins,
                                int maxConnectionsPerUser, int maxFrameBytes, int maxBodyBytes,
                                Duration pingInterval, Duration idleTimeout, Duration requestTimeout,
                                int outgoingQueueFrames, Duration shutdownDrainTimeout,
                                Duration shutdownReconnectMax) {
}
