package io.chatapi.bootstrap.e2e;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Keeps the records logged by the in-process server while it is open: WARNING and above, or from a given level. */
final class LogCapture extends Handler implements AutoCloseable {
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Level threshold;

    private LogCapture(Level threshold) {
        this.threshold = threshold;
    }

    static LogCapture open() {
        return open(Level.WARNING);
    }

    static LogCapture open(Level threshold) {
        LogCapture log = new LogCapture(threshold);
        Logger.getLogger("").addHandler(log);
        return log;
    }

    List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Each record's message with its parameters filled in, and its exception's text when it has one. */
    List<String> lines() {
        SimpleFormatter formatter = new SimpleFormatter();
        return records.stream().map(r -> formatter.formatMessage(r) + (r.getThrown() == null ? "" : " " + r.getThrown()))
                .toList();
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= threshold.intValue()) {
            records.add(record);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
