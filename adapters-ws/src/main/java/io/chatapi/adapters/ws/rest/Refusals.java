package io.chatapi.adapters.ws.rest;

import io.chatapi.application.LogThrottle;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the operator why requests are refused, at most one line a minute per kind with the count of those left
 * out: the answers say only "origin not allowed" or "Invalid token" (a browser does not even show the page
 * that much), and the request log only a status, so a missing {@code ALLOWED_ORIGINS} entry, a clock that is
 * off or a secret that differs from the application's would otherwise look like a client bug. Never logs a
 * token. One per server; thread-safe.
 */
public final class Refusals {
    private static final Logger LOG = Logger.getLogger(Refusals.class.getName());
    private final LogThrottle origins = new LogThrottle(Duration.ofMinutes(1));
    private final LogThrottle tokens = new LogThrottle(Duration.ofMinutes(1));

    /** A request from the browser origin {@code origin} was refused, or given no CORS headers. */
    void origin(String origin) {
        tell(origins, Level.INFO, "refused the browser origin " + DirectAnswers.loggable(origin)
                + ": ALLOWED_ORIGINS does not list it");
    }

    /** A token was refused for {@code reason} (the verifier's words, which never quote the token). */
    void token(String reason) {
        tell(tokens, Level.INFO, "refused a token: " + reason);
    }

    private static void tell(LogThrottle throttle, Level level, String line) {
        long heldBack = throttle.pass();
        if (heldBack >= 0) {
            LOG.log(level, heldBack == 0 ? line : line + " (" + heldBack + " more since the last line)");
        }
    }
}
