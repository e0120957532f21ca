package io.chatapi.adapters.sqlite;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The records one class logs at {@code level} exactly, kept while open. */
final class LoggedLines extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level level;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LoggedLines(Class<?> source, Level level) {
        this.logger = Logger.getLogger(source.getName());
        this.level = level;
        logger.addHandler(this);
    }

    static LoggedLines of(Class<?> source, Level level) {
        return new LoggedLines(source, level);
    }

    List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().equals(level)) {
            records.add(record);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
