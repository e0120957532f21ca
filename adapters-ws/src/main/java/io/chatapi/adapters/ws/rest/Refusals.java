package io.chatapi.adapters.ws.rest;

import io.chatapi.application.LogThrottle;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the operator why requests are refused: the answers say only "origin not allowed" or "Invalid token" (a
 * browser does not even show the page that much), and the request log only a status, so a missing
 * {@code ALLOWED_ORIGINS} entry, a clock that is off or a secret that differs from the application's would
 * otherwise look like a client bug. A refused token's reason is told at most once a minute; a refused origin
 * once an hour, and at most {@link #ORIGINS_NAMED} origins a minute, so that sites sending many refusals
 * neither fill the log nor, by coming back every minute, keep the one missing entry from being named. Those held
 * back are counted on the next line. Never logs a token. One per server; thread-safe.
 */
public final class Refusals {
    private static final Logger LOG = Logger.getLogger(Refusals.class.getName());
    private static final Duration PERIOD = Duration.ofMinutes(1);
    /** Distinct origins named in one minute. */
    static final int ORIGINS_NAMED = 10;
    /** How long an origin once named is not named again. */
    static final Duration ORIGIN_QUIET = Duration.ofHours(1);
    /** Origins remembered as named: beyond this many, the longest named are forgotten. */
    private static final int ORIGINS_REMEMBERED = 1_000;

    private final LongSupplier nanoTime;
    private final LogThrottle tokens = new LogThrottle(PERIOD);
    /** When each origin was last named, longest ago first. */
    private final LinkedHashMap<String, Long> originsNamed = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > ORIGINS_REMEMBERED;
        }
    };
    private boolean minuteStarted;
    private long minuteSince;
    private int namedThisMinute;
    private long originsHeld;

    public Refusals() {
        this(System::nanoTime);
    }

    Refusals(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** A request from the browser origin {@code origin} was refused, or given no CORS headers. */
    void origin(String origin) {
        long held;
        synchronized (originsNamed) {
            long now = nanoTime.getAsLong();
            if (!minuteStarted || now - minuteSince >= PERIOD.toNanos()) {
                minuteStarted = true;
                minuteSince = now;
                namedThisMinute = 0;
            }
            Long namedAt = originsNamed.get(origin);
            if (namedAt != null && now - namedAt < ORIGIN_QUIET.toNanos() || namedThisMinute >= ORIGINS_NAMED) {
                originsHeld++;
                return;
            }
            originsNamed.remove(origin); // named again: now the latest
            originsNamed.put(origin, now);
            namedThisMinute++;
            held = originsHeld;
            originsHeld = 0;
        }
        log("refused the browser origin " + DirectAnswers.loggable(origin) + ": ALLOWED_ORIGINS does not list it",
                held);
    }

    /** A token was refused for {@code reason} (the verifier's words, which never quote the token). */
    void token(String reason) {
        long held = tokens.pass();
        if (held >= 0) {
            log("refused a token: " + reason, held);
        }
    }

    private static void log(String line, long heldBack) {
        LOG.info(heldBack == 0 ? line : line + " (" + heldBack + " more since the last line)");
    }
}
