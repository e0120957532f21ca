package io.chatapi.adapters.ws.rest;

import io.chatapi.application.LogThrottle;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the operator, at most once a minute, that a browser origin was refused: a browser hides the answer's
 * body from the page's script, and the request log shows only a 403 (a socket) or a 204 (a preflight), so a
 * missing {@code ALLOWED_ORIGINS} entry would otherwise look like a client bug. One per server. Thread-safe.
 */
public final class RefusedOrigins {
    private static final Logger LOG = Logger.getLogger(RefusedOrigins.class.getName());
    private final LogThrottle throttle = new LogThrottle(Duration.ofMinutes(1));

    /** A request from the browser origin {@code origin} was refused, or given no CORS headers. */
    void refused(String origin) {
        long heldBack = throttle.pass();
        if (heldBack < 0) {
            return;
        }
        LOG.log(Level.WARNING, "refused the browser origin {0}: ALLOWED_ORIGINS does not list it{1}",
                new Object[] {DirectAnswers.loggable(origin),
                        heldBack == 0 ? "" : " (" + heldBack + " more refusals since the last line)"});
    }
}
