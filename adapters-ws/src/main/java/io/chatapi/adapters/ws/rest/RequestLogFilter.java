package io.chatapi.adapters.ws.rest;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.logging.Level;
import java.util.logging.Logger;

/** One log line per HTTP request: method, path without the query string (tokens travel there), status, time. */
public final class RequestLogFilter implements Filter {
    private static final Logger LOG = Logger.getLogger("io.chatapi.http");

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        try {
            chain.proceed();
        } finally {
            if (LOG.isLoggable(Level.INFO)) {
                long millis = (System.nanoTime() - start) / 1_000_000;
                String line = HttpAnswers.describe(req) + " " + res.status().code() + " " + millis + "ms";
                // The source given here spares JUL a stack walk per request to find the caller.
                LOG.logp(Level.INFO, RequestLogFilter.class.getName(), "filter", line);
            }
        }
    }
}
