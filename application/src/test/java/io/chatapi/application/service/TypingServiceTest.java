package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Typing indicators: repeats once a second, changes of action from a budget of 5 plus 2 a second. */
class TypingServiceTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Principal ANN = new Principal("ann", Role.USER);

    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final PublisherBotTestDouble publisher = new PublisherBotTestDouble();
    private TypingService typing;

    @BeforeEach
    void room() {
        InMemoryStores stores = InMemoryStores.create();
        stores.rooms().createGroup(new Room("room_t", RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                List.of(new Member("room_t", "ann", MemberRole.MEMBER, T0),
                        new Member("room_t", "bob", MemberRole.MEMBER, T0)));
        typing = new TypingService(stores.rooms(), publisher, now::get);
    }

    @Test
    void aRepeatGoesOutOnceASecond() {
        typing.typing(ANN, "room_t", true);
        step(Duration.ofMillis(999));
        typing.typing(ANN, "room_t", true);
        assertThat(relayed()).containsExactly("start");
        step(Duration.ofMillis(1));
        typing.typing(ANN, "room_t", true);
        assertThat(relayed()).containsExactly("start", "start");
    }

    @Test
    void changesOfActionSpendABudgetOfFiveThatRefillsAtTwoASecond() {
        for (int i = 0; i < 10; i++) {
            typing.typing(ANN, "room_t", i % 2 == 0);
        }
        assertThat(relayed()).containsExactly("start", "stop", "start", "stop", "start");
        step(Duration.ofMillis(499));
        typing.typing(ANN, "room_t", false);
        assertThat(relayed()).hasSize(5);
        step(Duration.ofMillis(1));
        typing.typing(ANN, "room_t", false);
        assertThat(relayed()).hasSize(6).endsWith("stop");
    }

    @Test
    void aWallClockSteppedBackStartsAfresh() {
        for (int i = 0; i < 10; i++) {
            typing.typing(ANN, "room_t", i % 2 == 0);
        }
        step(Duration.ofHours(-1));
        typing.typing(ANN, "room_t", false);
        assertThat(relayed()).hasSize(6);
    }

    private List<String> relayed() {
        return publisher.published().stream().map(p -> (ChatEvent.Typing) p.event())
                .map(t -> t.start() ? "start" : "stop").toList();
    }

    private void step(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }
}
