package io.chatapi.adapters.ws;

import io.helidon.common.buffers.DataReader;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps a client that hangs up in the middle of a request from writing a stack trace into the log: Helidon logs
 * one (a WARNING "Internal server error", 17 lines) each time, so a client opening connections and closing them
 * half-way could fill the log. Such a record becomes one {@code FINE} line of this class; every other record of
 * Helidon's HTTP/1 connection passes unchanged.
 */
final class HangUpLog implements Filter {
    private static final Logger LOG = Logger.getLogger(HangUpLog.class.getName());
    /** Held here: a logger nobody references may be collected, and with it the filter set on it. */
    private static final Logger HELIDON_CONNECTION = Logger.getLogger("io.helidon.webserver.http1.Http1Connection");

    private final Filter previous;

    private HangUpLog(Filter previous) {
        this.previous = previous;
    }

    /** Installs the filter on Helidon's HTTP/1 connection logger, once. */
    static synchronized void install() {
        if (!(HELIDON_CONNECTION.getFilter() instanceof HangUpLog)) {
            HELIDON_CONNECTION.setFilter(new HangUpLog(HELIDON_CONNECTION.getFilter()));
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            if (t instanceof DataReader.InsufficientDataAvailableException) {
                LOG.fine("a client closed its connection in the middle of a request");
                return false;
            }
        }
        return previous == null || previous.isLoggable(record);
    }
}
