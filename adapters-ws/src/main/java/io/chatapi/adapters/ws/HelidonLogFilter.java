package io.chatapi.adapters.ws;

import io.helidon.common.buffers.DataReader;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps two harmless events from writing Helidon's stack traces into the log; each becomes one {@code FINE} line
 * of this class, and every other record of those Helidon loggers passes unchanged.
 * <ul>
 *   <li>A client that hangs up in the middle of a request: Helidon logs a WARNING "Internal server error" (17
 *   lines) each time, so a client opening connections and closing them half-way could fill the log.</li>
 *   <li>A stop while every connection slot is taken: Helidon's listener, waiting for a free slot, is either
 *   interrupted there ({@link InterruptedException}) or let go once the stop has closed its server socket, to
 *   fail its next accept ({@link ClosedChannelException}); it logs either as SEVERE "this server socket is
 *   terminating now" (Helidon itself says nothing when the stop interrupts an accept in progress). Only the stop
 *   closes that socket or interrupts that thread.</li>
 * </ul>
 */
final class HelidonLogFilter implements Filter {
    private static final Logger LOG = Logger.getLogger(HelidonLogFilter.class.getName());
    /** Held here: a logger nobody references may be collected, and with it the filter set on it. */
    private static final Logger HELIDON_CONNECTION = Logger.getLogger("io.helidon.webserver.http1.Http1Connection");
    private static final Logger HELIDON_LISTENER = Logger.getLogger("io.helidon.webserver.ServerListener");

    private final List<Class<? extends Throwable>> harmless;
    private final String line;
    private final Filter previous;

    private HelidonLogFilter(List<Class<? extends Throwable>> harmless, String line, Filter previous) {
        this.harmless = harmless;
        this.line = line;
        this.previous = previous;
    }

    /** Installs the filters on Helidon's HTTP/1 connection and listener loggers, once. */
    static synchronized void install() {
        install(HELIDON_CONNECTION, List.of(DataReader.InsufficientDataAvailableException.class),
                "a client closed its connection in the middle of a request");
        install(HELIDON_LISTENER, List.of(ClosedChannelException.class, InterruptedException.class),
                "the stop ended the listener while it waited for a free connection slot");
    }

    private static void install(Logger logger, List<Class<? extends Throwable>> harmless, String line) {
        if (!(logger.getFilter() instanceof HelidonLogFilter)) {
            logger.setFilter(new HelidonLogFilter(harmless, line, logger.getFilter()));
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            if (isHarmless(t)) {
                LOG.fine(line);
                return false;
            }
        }
        return previous == null || previous.isLoggable(record);
    }

    private boolean isHarmless(Throwable t) {
        for (Class<? extends Throwable> kind : harmless) {
            if (kind.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
