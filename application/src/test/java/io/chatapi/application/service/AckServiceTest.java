package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Acks: one that moves the caller's position clears and is told to the room; one that does not is a no-op. */
class AckServiceTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Principal ANN = new Principal("ann", Role.USER);

    private final PublisherBotTestDouble publisher = new PublisherBotTestDouble();
    private final DeliveryStoreTestDouble deliveries = new DeliveryStoreTestDouble();
    private final InMemoryStores stores = InMemoryStores.create();
    private AckService acks;

    @BeforeEach
    void room() {
        stores.rooms().createGroup(new Room("room_a", RoomType.GROUP, null, null, 6, T0, Handoff.initial(T0)),
                List.of(new Member("room_a", "ann", MemberRole.MEMBER, T0),
                        new Member("room_a", "bob", MemberRole.MEMBER, T0)));
        acks = new AckService(stores.rooms(), deliveries, publisher);
        for (long seq = 1; seq <= 6; seq++) {
            deliveries.queue("ann", "room_a", "msg_" + seq, seq, T0);
        }
    }

    @Test
    void onlyAnAckThatMovesThePositionClearsAndIsTold() {
        acks.ack(ANN, "room_a", 3);
        acks.ack(ANN, "room_a", 3);
        acks.ack(ANN, "room_a", 2);
        assertThat(told()).containsExactly(3L);
        assertThat(deliveries.allPending()).extracting(p -> p.seq()).containsExactly(4L, 5L, 6L);
        acks.ack(ANN, "room_a", 4);
        assertThat(told()).containsExactly(3L, 4L);
        assertThat(acks.acknowledged("ann", "room_a")).isEqualTo(4);
        assertThat(acks.acknowledged("ann", "room_b")).isZero();
    }

    @Test
    void anAckOfZeroAcknowledgesNothingAndIsNotTold() {
        stores.rooms().createGroup(new Room("room_empty", RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                List.of(new Member("room_empty", "ann", MemberRole.MEMBER, T0)));

        acks.ack(ANN, "room_a", 0);
        acks.ack(ANN, "room_empty", 5);
        assertThat(told()).isEmpty();
        assertThat(deliveries.allPending()).hasSize(6);
        acks.ack(ANN, "room_a", 1);
        assertThat(told()).containsExactly(1L);
    }

    @Test
    void anAckBelowTheStoredPositionIsANoOpForAServiceThatNeverSawIt() {
        acks.ack(ANN, "room_a", 5);
        AckService afterRestart = new AckService(stores.rooms(), deliveries, publisher);

        afterRestart.ack(ANN, "room_a", 3);
        afterRestart.ack(ANN, "room_a", 5);
        assertThat(told()).containsExactly(5L);
        afterRestart.ack(ANN, "room_a", 6);
        assertThat(told()).containsExactly(5L, 6L);
        assertThat(deliveries.allPending()).isEmpty();
    }

    @Test
    void anAckThatCouldNotBeStoredCanBeRepeated() {
        deliveries.clearFailures = 1;
        assertThatThrownBy(() -> acks.ack(ANN, "room_a", 5)).isInstanceOf(StoreUnavailableException.class);
        assertThat(told()).isEmpty();
        acks.ack(ANN, "room_a", 5);
        assertThat(told()).containsExactly(5L);
        assertThat(deliveries.allPending()).extracting(p -> p.seq()).containsExactly(6L);
    }

    @Test
    void anAckBeyondTheLastSeqCountsAsTheLastSeqAndLaterAcksStillCount() {
        acks.ack(ANN, "room_a", Long.MAX_VALUE);
        assertThat(told()).containsExactly(6L);
        assertThat(deliveries.allPending()).isEmpty();

        long seven = stores.messages().append(new MessageDraft("msg_7", "room_a", "bob", "new", null, null, T0),
                DeliveryPlan.NONE).message().seq();
        deliveries.queue("ann", "room_a", "msg_7", seven, T0);
        acks.ack(ANN, "room_a", seven);
        assertThat(told()).containsExactly(6L, 7L);
        assertThat(deliveries.allPending()).isEmpty();
    }

    @Test
    void anOlderReceiptLateToBePublishedIsNotPublishedAfterANewerOne() throws Exception {
        CountDownLatch olderClearing = new CountDownLatch(1);
        CountDownLatch newerPublished = new CountDownLatch(1);
        DeliveryStore slowForTheOlder = Intercepted.of(DeliveryStore.class, deliveries, "acknowledge", () -> {
            if (Thread.currentThread().getName().equals("older")) {
                olderClearing.countDown(); // the older ack moved the position; its socket's thread waits
                newerPublished.await(10, TimeUnit.SECONDS);
            }
        });
        AckService twoSockets = new AckService(stores.rooms(), slowForTheOlder, publisher);

        Thread older = Thread.ofPlatform().name("older").start(() -> twoSockets.ack(ANN, "room_a", 3));
        assertThat(olderClearing.await(10, TimeUnit.SECONDS)).isTrue();
        twoSockets.ack(ANN, "room_a", 4); // the other socket's ack, moved and told meanwhile
        newerPublished.countDown();
        older.join(10_000);

        assertThat(told()).containsExactly(4L);
        assertThat(deliveries.allPending()).extracting(p -> p.seq()).containsExactly(5L, 6L);
    }

    private List<Long> told() {
        return publisher.published().stream().map(p -> ((ChatEvent.AckReceived) p.event()).seq()).toList();
    }
}
