package io.chatapi.adapters.ws.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RefusalsTest {
    private static final Logger LOG = Logger.getLogger(Refusals.class.getName());
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final AtomicLong now = new AtomicLong();
    private final Refusals refusals = new Refusals(now::get);

    @BeforeEach
    void listen() {
        LOG.addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        LOG.removeHandler(handler);
    }

    private static String line(String origin) {
        return "refused the browser origin " + origin + ": ALLOWED_ORIGINS does not list it";
    }

    @Test
    void eachOriginIsNamedOnceAMinuteHoweverManyOthersAreRefused() {
        for (int i = 0; i < 50; i++) {
            refusals.origin("https://junk.example");
        }
        refusals.origin("http://localhost:3000");
        refusals.origin("http://localhost:3000");

        assertThat(lines).containsExactly(line("https://junk.example"),
                line("http://localhost:3000") + " (49 more since the last line)");
    }

    @Test
    void atMostTenOriginsAMinuteAreNamedAndThoseHeldBackAreCountedOnTheNextLine() {
        for (int i = 0; i < 25; i++) {
            refusals.origin("https://site" + i + ".example");
        }
        assertThat(lines).hasSize(Refusals.ORIGINS_NAMED).last().isEqualTo(line("https://site9.example"));

        now.addAndGet(Duration.ofSeconds(59).toNanos());
        refusals.origin("https://late.example");
        assertThat(lines).hasSize(Refusals.ORIGINS_NAMED);

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        refusals.origin("https://site10.example");
        assertThat(lines).last().isEqualTo(line("https://site10.example") + " (16 more since the last line)");
    }

    @Test
    void originsComingBackEveryMinuteDoNotKeepAnotherFromBeingNamed() {
        for (int minute = 0; minute < 3; minute++) {
            for (int i = 0; i < 10; i++) {
                refusals.origin("https://junk" + i + ".example");
            }
            refusals.origin("http://localhost:3000");
            now.addAndGet(Duration.ofMinutes(1).toNanos());
        }

        assertThat(lines).hasSize(11).last().asString().startsWith(line("http://localhost:3000"));
        now.addAndGet(Refusals.ORIGIN_QUIET.toNanos());
        refusals.origin("https://junk0.example");
        assertThat(lines).hasSize(12).last().asString().startsWith(line("https://junk0.example"));
    }
}
