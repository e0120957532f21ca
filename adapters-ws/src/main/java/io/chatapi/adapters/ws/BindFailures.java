package io.chatapi.adapters.ws;

import java.net.SocketException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Takes Helidon's report of a listener that could not bind (logged with a stack trace while it starts) and keeps
 * its reason, so the server can stop with one line of its own instead. Every other record passes unchanged.
 */
final class BindFailures implements Filter, AutoCloseable {
    private static final String HELIDON_SERVER_LOGGER = "io.helidon.webserver.LoomServer";
    /** What Helidon logs next, without detail; after a bind failure the server's own line says more. */
    private static final String FAILED_TO_START = "Helidon WebServer failed to start, shutting down";

    private final Logger logger = Logger.getLogger(HELIDON_SERVER_LOGGER);
    private final Filter previous;
    private final AtomicReference<String> reason = new AtomicReference<>();

    private BindFailures() {
        previous = logger.getFilter();
    }

    /** Starts watching Helidon's start-up log; {@link #close()} stops it. */
    static BindFailures watch() {
        BindFailures watch = new BindFailures();
        watch.logger.setFilter(watch);
        return watch;
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            if (t instanceof SocketException bind) { // a BindException, or an address bind(2) refuses (EINVAL)
                String message = bind.getMessage() == null ? "cannot bind" : bind.getMessage();
                reason.compareAndSet(null, message.toLowerCase(Locale.ROOT));
                return false;
            }
        }
        if (reason.get() != null && FAILED_TO_START.equals(record.getMessage())) {
            return false;
        }
        return previous == null || previous.isLoggable(record);
    }

    /** The reason of the first bind failure seen, such as {@code address already in use}. */
    Optional<String> reason() {
        return Optional.ofNullable(reason.get());
    }

    @Override
    public void close() {
        logger.setFilter(previous);
    }
}
