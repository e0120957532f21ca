package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ConnectionRegistryTest {
    private static final Principal ANN = new Principal("ann", Role.USER);

    private final ServerMetrics metrics = new ServerMetrics();
    private final ConnectionRegistry registry = new ConnectionRegistry(metrics);

    @Test
    void overTheCapTheNewerHandshakeIsClosedWhicheverOpensFirst() {
        registry.attach(1, null, null);
        long older = registry.nextHandshake();
        long newer = registry.nextHandshake();
        ClosingSession newerSession = new ClosingSession();
        SocketConnection newerConnection = new SocketConnection(newerSession, newer, ANN, registry, metrics, 16);
        ClosingSession olderSession = new ClosingSession();
        SocketConnection olderConnection = new SocketConnection(olderSession, older, ANN, registry, metrics, 16);

        assertThat(registry.register(newerConnection)).isEqualTo(ConnectionRegistry.Registration.FIRST);
        assertThat(registry.register(olderConnection)).isEqualTo(ConnectionRegistry.Registration.ADDED);

        await().atMost(Duration.ofSeconds(5)).until(() -> !newerSession.closes.isEmpty());
        assertThat(newerSession.closes).containsExactly("1008 connection limit reached");
        assertThat(olderSession.closes).isEmpty();
        assertThat(metrics.activeConnections.get()).isEqualTo(1);

        SocketConnection newest = new SocketConnection(new ClosingSession(), registry.nextHandshake(), ANN, registry,
                metrics, 16);
        assertThat(registry.register(newest)).isEqualTo(ConnectionRegistry.Registration.FULL);
        assertThat(olderSession.closes).isEmpty();
        assertThat(metrics.activeConnections.get()).isEqualTo(1);
    }

    @Test
    void theLastTimeAUserHadAConnectionIsNowWhileOneIsRegisteredThenItsCloseUntilForgotten() {
        registry.attach(5, null, null);
        assertThat(registry.lastConnected("ann")).isEmpty();
        SocketConnection first = connection();
        SocketConnection second = connection();
        registry.register(first);
        registry.register(second);
        Instant before = Instant.now();
        assertThat(registry.lastConnected("ann")).hasValueSatisfying(t -> assertThat(t).isAfterOrEqualTo(before));

        registry.unregister(first);
        Instant stillOne = Instant.now();
        assertThat(registry.lastConnected("ann")).hasValueSatisfying(t -> assertThat(t).isAfterOrEqualTo(stillOne));
        registry.unregister(second);
        Instant after = Instant.now();
        Instant closed = registry.lastConnected("ann").orElseThrow();
        assertThat(closed).isBetween(stillOne, after);
        assertThat(registry.lastConnected("ann")).as("it stays").contains(closed);

        registry.forgetClosedBefore(closed);
        assertThat(registry.lastConnected("ann")).as("not before its time").contains(closed);
        registry.forgetClosedBefore(closed.plusNanos(1));
        assertThat(registry.lastConnected("ann")).isEmpty();
    }

    @Test
    void underTheCapEveryConnectionIsKept() {
        registry.attach(2, null, null);
        List<ClosingSession> sessions = List.of(new ClosingSession(), new ClosingSession());
        long first = registry.nextHandshake();
        long second = registry.nextHandshake();
        assertThat(registry.register(new SocketConnection(sessions.get(1), second, ANN, registry, metrics, 16)))
                .isEqualTo(ConnectionRegistry.Registration.FIRST);
        assertThat(registry.register(new SocketConnection(sessions.get(0), first, ANN, registry, metrics, 16)))
                .isEqualTo(ConnectionRegistry.Registration.ADDED);
        assertThat(metrics.activeConnections.get()).isEqualTo(2);
        assertThat(sessions).allSatisfy(s -> assertThat(s.closes).isEmpty());
    }

    @Test
    void whatAConnectionNeverWroteIsQueuedUnlessAnOlderConnectionOfTheUserIsOpen() {
        List<String> queued = new CopyOnWriteArrayList<>();
        registry.attach(5, null, (user, messages) -> messages.forEach(m -> queued.add(user + " " + m.messageId())));
        SocketConnection older = connection();
        registry.register(older);
        registry.publish(List.of("ann"), message("m0", 1)); // neither has opened: each holds what it is given
        SocketConnection closing = connection();
        registry.register(closing);
        registry.publish(List.of("ann"), message("m1", 2));
        SocketConnection newer = connection();
        registry.register(newer); // opened after both were published: never given them

        closing.ended(); // the older connection, still open, was given m1 too: nothing to queue
        older.ended(); // only the newer one is open
        await().atMost(Duration.ofSeconds(5)).until(() -> queued.contains("ann m0"));
        assertThat(queued).as("queued in the order the connections ended").containsExactly("ann m0", "ann m1");
    }

    @Test
    void aConnectionClosedAtTheCapByAnOlderHandshakeHasWhatItNeverWroteQueued() {
        List<String> queued = new CopyOnWriteArrayList<>();
        registry.attach(1, null, (user, messages) -> messages.forEach(m -> queued.add(user + " " + m.messageId())));
        long olderHandshake = registry.nextHandshake();
        SocketConnection newer = connection();
        registry.register(newer);
        registry.publish(List.of("ann"), message("m1", 1));
        SocketConnection older = new SocketConnection(new ClosingSession(), olderHandshake, ANN, registry, metrics,
                16);
        assertThat(registry.register(older)).isEqualTo(ConnectionRegistry.Registration.ADDED);
        newer.ended(); // as when its socket closes

        await().atMost(Duration.ofSeconds(5)).until(() -> !queued.isEmpty());
        assertThat(queued).containsExactly("ann m1");
    }

    private SocketConnection connection() {
        return new SocketConnection(new ClosingSession(), registry.nextHandshake(), ANN, registry, metrics, 16);
    }

    private static ChatEvent message(String id, long seq) {
        return new ChatEvent.MessageCreated(new Message(id, "room_1", "bob", seq, "hi", null, Instant.EPOCH, null,
                null), false);
    }
}
