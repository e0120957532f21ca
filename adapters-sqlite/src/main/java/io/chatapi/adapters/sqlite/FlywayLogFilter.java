package io.chatapi.adapters.sqlite;

import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps Flyway's transaction template from writing stack traces into the log when a migration fails: it logs,
 * each with its stack trace, a failure to roll back, to commit or to restore auto-commit, then throws the failure
 * that ended the transaction, which the start reports in one line (a disk that fills up during the migration,
 * say). Such a record becomes one {@code FINE} line of this class, with its stack trace; every other record of
 * that logger passes unchanged.
 */
final class FlywayLogFilter implements Filter {
    private static final Logger LOG = Logger.getLogger(FlywayLogFilter.class.getName());
    /** Held here: a logger nobody references may be collected, and with it the filter set on it. */
    static final Logger TEMPLATE = Logger.getLogger("org.flywaydb.core.internal.jdbc.TransactionalExecutionTemplate");

    private final Filter previous;

    private FlywayLogFilter(Filter previous) {
        this.previous = previous;
    }

    /** Installs the filter on the template's logger, once. */
    static synchronized void install() {
        if (!(TEMPLATE.getFilter() instanceof FlywayLogFilter)) {
            TEMPLATE.setFilter(new FlywayLogFilter(TEMPLATE.getFilter()));
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getThrown() != null) {
            LOG.log(Level.FINE, "migration: " + record.getMessage(), record.getThrown());
            return false;
        }
        return previous == null || previous.isLoggable(record);
    }
}
