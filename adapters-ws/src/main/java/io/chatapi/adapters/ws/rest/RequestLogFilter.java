package io.chatapi.adapters.ws.rest;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One log line per HTTP request: method, path without the query string (tokens travel there), status, time, and
 * {@code cut short} when the connection was closed before the answer ended. At
 * INFO, except a WebSocket upgrade that succeeded (101), which is FINE: after a restart every client reconnects
 * at once, and a line per handshake written to the console under its lock slowed the whole wave down.
 *
 * <p>It also closes the connection after answering a request that asked for it ({@code Connection: close}, RFC
 * 9112 §9.6): Helidon 4.5.0 answers such a request with {@code Connection: close} but keeps reading the socket.
 */
public final class RequestLogFilter implements Filter {
    private static final Logger LOG = Logger.getLogger("io.chatapi.http");
    private static final int SWITCHING_PROTOCOLS = 101;

    private final Predicate<String> answeredElsewhere;

    /**
     * {@code answeredElsewhere} tells, by the connection's socket id, whether the request's answer was written, and
     * its line logged, by something else (a request cut for arriving too slowly, answered 408): then this logs none.
     */
    public RequestLogFilter(Predicate<String> answeredElsewhere) {
        this.answeredElsewhere = answeredElsewhere;
    }

    /** The log line of an answer written outside the routes (Helidon's own, a request cut short). */
    public static void logAnswer(Class<?> source, String method, String path, int status, long millis) {
        if (LOG.isLoggable(Level.INFO)) {
            LOG.logp(Level.INFO, source.getName(), "answer", DirectAnswers.loggable(method) + " "
                    + DirectAnswers.loggable(DirectAnswers.withoutQuery(path)) + " " + status + " " + millis + "ms");
        }
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        boolean cut = false;
        try {
            chain.proceed();
        } catch (AnswerCut e) {
            cut = true; // the client went away, or did not take its answer in time
            throw e;
        } finally {
            int status = res.status().code();
            Level level = status == SWITCHING_PROTOCOLS ? Level.FINE : Level.INFO;
            if (LOG.isLoggable(level) && !answeredElsewhere.test(req.socketId())) {
                long millis = (System.nanoTime() - start) / 1_000_000;
                String line = HttpAnswers.describe(req) + " " + status + " " + millis + "ms" + (cut ? " cut short" : "");
                // The source given here spares JUL a stack walk per request to find the caller.
                LOG.logp(level, RequestLogFilter.class.getName(), "filter", line);
            }
        }
        // a token in any letter case and place of the list (Close, keep-alive, close), as Helidon reads it: it then
        // leaves a body unread, which must not be read as the next request
        if (res.isSent() && req.headers().containsToken(HeaderValues.CONNECTION_CLOSE)) {
            throw new CloseConnectionException("the client asked to close the connection");
        }
    }
}
