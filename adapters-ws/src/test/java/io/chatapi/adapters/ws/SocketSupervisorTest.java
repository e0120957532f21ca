package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatapi.application.ServerMetrics;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SocketSupervisorTest {
    private static final Duration IDLE = Duration.ofSeconds(60);

    private final ServerMetrics metrics = new ServerMetrics();
    private final ConnectionRegistry registry = new ConnectionRegistry(metrics);
    /** How far the supervisor's clock is ahead of {@link System#nanoTime()}. */
    private final AtomicLong ahead = new AtomicLong();
    private final SocketSupervisor supervisor = new SocketSupervisor(registry, Duration.ofHours(1), IDLE,
            () -> System.nanoTime() + ahead.get());

    @BeforeEach
    void sweepOnlyWhenTheTestSays() {
        supervisor.stop(); // its timers; sweep() still works
    }

    @Test
    void aSilentSocketIsClosedOnceTheIdleTimeoutHasPassed() {
        ClosingSession session = registered();
        passInSweeps(Duration.ofSeconds(59));
        assertThat(session.closes).isEmpty();

        ahead.addAndGet(Duration.ofSeconds(2).toNanos());
        supervisor.sweep();
        await().atMost(Duration.ofSeconds(5)).until(() -> !session.closes.isEmpty());
        assertThat(session.closes).containsExactly("1001 idle timeout");
    }

    @Test
    void aProcessStoppedLongerThanTheIdleTimeoutCountsSilenceAgainFromWhenItRuns() {
        ClosingSession session = registered();
        passInSweeps(Duration.ofSeconds(30));
        ahead.addAndGet(Duration.ofSeconds(70).toNanos()); // stopped: no sweep, no ping, no pong read
        supervisor.sweep();
        passInSweeps(Duration.ofSeconds(59));
        assertThat(session.closes).as("the client had no chance to answer a ping").isEmpty();

        ahead.addAndGet(Duration.ofSeconds(2).toNanos());
        supervisor.sweep();
        await().atMost(Duration.ofSeconds(5)).until(() -> !session.closes.isEmpty());
        assertThat(session.closes).as("still silent an idle timeout after").containsExactly("1001 idle timeout");
    }

    @Test
    void aCloseThatDoesNotFinishIsCutAfterItsGraceCountedFromWhenTheProcessRunsAgain() {
        ClosingSession session = registered();
        SocketConnection connection = registry.all().iterator().next();
        connection.close(1000, "bye");
        await().atMost(Duration.ofSeconds(5)).until(() -> !session.closes.isEmpty());
        ahead.addAndGet(Duration.ofSeconds(70).toNanos());
        supervisor.sweep();
        assertThat(connection.closing()).isTrue();
        assertThat(registry.all()).as("not cut the moment the process runs again").contains(connection);

        passInSweeps(Duration.ofSeconds(6));
        assertThat(registry.all()).as("cut once its 5 s grace has passed").doesNotContain(connection);
    }

    private ClosingSession registered() {
        registry.attach(10, null, null);
        ClosingSession session = new ClosingSession();
        SocketConnection connection = new SocketConnection(session, registry.nextHandshake(),
                new Principal("ann", Role.USER), registry, metrics, 16);
        registry.track(connection);
        registry.register(connection);
        supervisor.sweep();
        return session;
    }

    /**
     * Moves the clock on by {@code time} with a sweep every second, as the timer makes them. (A connection reads
     * the real clock when its close is asked for: sweeps after that would see its grace over at once.)
     */
    private void passInSweeps(Duration time) {
        for (long s = 0; s < time.toSeconds(); s++) {
            ahead.addAndGet(TimeUnit.SECONDS.toNanos(1));
            supervisor.sweep();
        }
    }
}
