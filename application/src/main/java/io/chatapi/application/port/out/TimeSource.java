package io.chatapi.application.port.out;

import java.time.Instant;

/** The clock, so tests can move time. Thread-safe. */
@FunctionalInterface
public interface TimeSource {
    Instant now();

    static TimeSource system() {
        return Instant::now;
    }
}
