package io.chatapi.adapters.ws;

import io.helidon.common.buffers.DataReader;
import java.nio.channels.ClosedChannelException;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps two harmless events from writing Helidon's stack traces into the log; each becomes one {@code FINE} line
 * of this class, and every other record of those Helidon loggers passes unchanged.
 * <ul>
 *   <li>A client that hangs up in the middle of a request: Helidon logs a WARNING "Internal server error" (17
 *   lines) each time, so a client opening connections and closing them half-way could fill the log.</li>
 *   <li>A stop while every connection slot is taken: Helidon's listener, waiting for a free slot, is let go once
 *   the stop has closed its server socket, and logs the {@link ClosedChannelException} of its next accept as
 *   SEVERE "this server socket is terminating now" (Helidon itself says nothing when the stop interrupts an accept
 *   in progress). Nothing else closes that socket.</li>
 * </ul>
 */
final class HelidonLogFilter implements Filter {
    private static final Logger LOG = Logger.getLogger(HelidonLogFilter.class.getName());
    /** Held here: a logger nobody references may be collected, and with it the filter set on it. */
    private static final Logger HELIDON_CONNECTION = Logger.getLogger("io.helidon.webserver.http1.Http1Connection");
    private static final Logger HELIDON_LISTENER = Logger.getLogger("io.helidon.webserver.ServerListener");

    private final Class<? extends Throwable> harmless;
    private final String line;
    private final Filter previous;

    private HelidonLogFilter(Class<? extends Throwable> harmless, String line, Filter previous) {
        this.harmless = harmless;
        this.line = line;
        this.previous = previous;
    }

    /** Installs the filters on Helidon's HTTP/1 connection and listener loggers, once. */
    static synchronized void install() {
        install(HELIDON_CONNECTION, DataReader.InsufficientDataAvailableException.class,
                "a client closed its connection in the middle of a request");
        install(HELIDON_LISTENER, ClosedChannelException.class,
                "the listener found its socket closed by the stop while it waited for a free connection slot");
    }

    private static void install(Logger logger, Class<? extends Throwable> harmless, String line) {
        if (!(logger.getFilter() instanceof HelidonLogFilter)) {
            logger.setFilter(new HelidonLogFilter(harmless, line, logger.getFilter()));
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            if (harmless.isInstance(t)) {
                LOG.fine(line);
                return false;
            }
        }
        return previous == null || previous.isLoggable(record);
    }
}
