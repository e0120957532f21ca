package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.rest.AnswerBytes;
import java.time.Duration;
import java.util.Set;

/**
 * The transport's settings: bind address, JWT checks, browser origins, socket and body limits, shutdown.
 *
 * @param allowedOrigins empty: no browser origin; containing {@code *}: every origin
 * @param requestTimeout from an HTTP request line to the start of its answer, at most (then 408); also the longest
 *     time a client may take to take each piece of an answer (then its connection is closed)
 * @param answerBudgetBytes REST answers over 64 KiB being written at once, in bytes, at most (a quarter of it for
 *     one user's answers); one over it is answered 503
 * @param socketSendBufferBytes each accepted socket's kernel send buffer ({@code SO_SNDBUF}); 0: sized by the kernel
 */
public record TransportSettings(String host, int port, byte[] jwtSecret, Duration jwtLeeway, boolean jwtRequireExp,
                                String jwtIssuer, String jwtAudience, Set<String> allowedOrigins,
                                int maxConnectionsPerUser, int maxFrameBytes, int maxBodyBytes,
                                int socketSendBufferBytes,
                                Duration pingInterval, Duration idleTimeout, Duration requestTimeout,
                                long answerBudgetBytes,
                                int outgoingQueueFrames, Duration shutdownDrainTimeout,
                                Duration shutdownReconnectMax) {
    /** The answer budget for this process: an eighth of the maximum heap, and at least 16 MiB. */
    public static long answerBudgetForThisProcess() {
        return AnswerBytes.forThisProcess();
    }
}
