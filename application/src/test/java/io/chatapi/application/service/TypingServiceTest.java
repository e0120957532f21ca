package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.RoomStore;
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
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Typing indicators: repeats once a second, starts from a budget of 5 plus 2 a second, the stop of a start always. */
class TypingServiceTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Principal ANN = new Principal("ann", Role.USER);

    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final PublisherBotTestDouble publisher = new PublisherBotTestDouble();
    private TypingService typing;

    @BeforeEach
    void room() {
        typing = new TypingService(annAndBob().rooms(), publisher, now::get);
    }

    /** Stores holding room_t, a group of ann and bob. */
    private static InMemoryStores annAndBob() {
        InMemoryStores stores = InMemoryStores.create();
        stores.rooms().createGroup(new Room("room_t", RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                List.of(new Member("room_t", "ann", MemberRole.MEMBER, T0),
                        new Member("room_t", "bob", MemberRole.MEMBER, T0)));
        return stores;
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
    void startsSpendABudgetOfFiveThatRefillsAtTwoASecond() {
        for (int i = 0; i < 14; i++) {
            typing.typing(ANN, "room_t", i % 2 == 0);
        }
        assertThat(relayed()).as("five starts, each with its stop; the sixth and seventh start dropped")
                .containsExactly("start", "stop", "start", "stop", "start", "stop", "start", "stop", "start", "stop");
        step(Duration.ofMillis(499));
        typing.typing(ANN, "room_t", true);
        assertThat(relayed()).hasSize(10);
        step(Duration.ofMillis(1));
        typing.typing(ANN, "room_t", true);
        assertThat(relayed()).hasSize(11).endsWith("start");
    }

    @Test
    void startsInManyRoomsSpendTheUsersOwnBudgetOfTenThatRefillsAtFiveASecond() {
        InMemoryStores stores = InMemoryStores.create();
        for (int r = 0; r < 30; r++) {
            stores.rooms().createGroup(new Room("room_" + r, RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                    List.of(new Member("room_" + r, "ann", MemberRole.MEMBER, T0),
                            new Member("room_" + r, "bob", MemberRole.MEMBER, T0)));
        }
        typing = new TypingService(stores.rooms(), publisher, now::get);
        for (int r = 0; r < 30; r++) {
            typing.typing(ANN, "room_" + r, true);
        }
        assertThat(relayed()).as("ten starts, one in each of the first ten rooms").hasSize(10).containsOnly("start");
        for (int r = 0; r < 30; r++) {
            typing.typing(ANN, "room_" + r, false);
        }
        assertThat(relayed()).as("the stops of the ten relayed starts, needing no token; the others are not relayed")
                .hasSize(20).endsWith("stop");
        step(Duration.ofMillis(199));
        typing.typing(ANN, "room_20", true);
        assertThat(relayed()).hasSize(20);
        step(Duration.ofMillis(1));
        typing.typing(ANN, "room_20", true);
        assertThat(relayed()).as("a token every 200 ms").hasSize(21).endsWith("start");
        typing.typing(new Principal("bob", Role.USER), "room_21", true);
        assertThat(relayed()).as("another user's budget is their own").hasSize(22);
    }

    @Test
    void aStopThatEndsARelayedStartAlwaysGoesOutWhateverTheBudget() {
        Random random = new Random(7);
        for (int run = 0; run < 200; run++) {
            int before = relayed().size();
            for (int i = 0, n = 1 + random.nextInt(40); i < n; i++) {
                typing.typing(ANN, "room_t", random.nextBoolean());
                step(Duration.ofMillis(random.nextInt(300)));
            }
            typing.typing(ANN, "room_t", false);
            List<String> seen = relayed().subList(before, relayed().size());
            assertThat(relayed()).as("run %d: what members were last told", run).endsWith("stop");
            assertThat(seen.stream().filter("stop"::equals).count()).as("run %d: stops cost no more than starts", run)
                    .isLessThanOrEqualTo(seen.stream().filter("start"::equals).count() + 1);
        }
    }

    @Test
    void aStopAfterARelayedStopIsNotRelayedAgainEvenWhenTheStartBetweenWasDropped() {
        typing.typing(ANN, "room_t", true);
        typing.typing(ANN, "room_t", false);
        step(Duration.ofSeconds(2));
        typing.typing(ANN, "room_t", false);
        assertThat(relayed()).containsExactly("start", "stop");
        for (int i = 0; i < 12; i++) {
            typing.typing(ANN, "room_t", i % 2 == 0);
        }
        assertThat(relayed()).as("five of the six starts relayed with their stops; the sixth start dropped, and its "
                + "stop not relayed").hasSize(12).endsWith("start", "stop");
        assertThat(String.join(",", relayed())).doesNotContain("stop,stop");
    }

    /** Past 10,000 records quiet ones are forgotten, but never one whose user members were last told is typing. */
    @Test
    void aStartIsNeverForgottenSoItsStopStillComesWhenTheLastConnectionCloses() {
        InMemoryStores stores = annAndBob();
        int others = 10_001;
        for (int i = 0; i < others; i++) {
            stores.rooms().createGroup(new Room("room_" + i, RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                    List.of(new Member("room_" + i, "u" + i, MemberRole.MEMBER, T0)));
        }
        TypingService crowded = new TypingService(stores.rooms(), publisher, now::get);
        crowded.typing(ANN, "room_t", true);
        step(Duration.ofSeconds(3));
        for (int i = 0; i < others; i++) {
            crowded.typing(new Principal("u" + i, Role.USER), "room_" + i, false);
        }
        crowded.connectionClosed("ann");

        assertThat(publisher.published().stream().map(p -> (ChatEvent.Typing) p.event())
                .filter(t -> t.userId().equals("ann")).map(t -> t.start() ? "start" : "stop"))
                .containsExactly("start", "stop");
    }

    @Test
    void aStopFromAnotherSocketWhileAStartIsBeingPublishedFollowsIt() throws Exception {
        CountDownLatch startDecided = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        TypingService twoSockets = heldAfterTheDecision(annAndBob(), "start", startDecided, go);

        whileHeld("start", () -> twoSockets.typing(ANN, "room_t", true), startDecided,
                () -> twoSockets.typing(ANN, "room_t", false), go);

        assertThat(relayed()).as("what members were told, in order").containsExactly("start", "stop");
    }

    @Test
    void indicatorsFromManySocketsAtOnceNeverTellAStopRightAfterAStop() throws Exception {
        for (int round = 0; round < 200; round++) {
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(6);
            List<Thread> sockets = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                boolean start = i % 2 == 1;
                sockets.add(Thread.ofPlatform().start(() -> {
                    try {
                        together.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    typing.typing(ANN, "room_t", start);
                }));
            }
            for (Thread socket : sockets) {
                socket.join(10_000);
            }
            step(Duration.ofSeconds(1)); // a token more, and repeats allowed again
        }
        List<String> told = relayed();
        assertThat(told).hasSizeGreaterThan(100);
        for (int i = 1; i < told.size(); i++) {
            assertThat(told.get(i - 1) + " " + told.get(i)).as("indicators %d and %d", i - 1, i)
                    .isNotEqualTo("stop stop");
        }
    }

    @Test
    void aStartBeingDecidedWhenItsUserLeavesIsNotPublished() throws Exception {
        InMemoryStores stores = annAndBob();
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch left = new CountDownLatch(1);
        TypingService racing = heldAfterTheCheck(stores, "typer", checked, left);

        whileHeld("typer", () -> racing.typing(ANN, "room_t", true), checked, () -> leave(stores, racing), left);

        assertThat(relayed()).as("bob is never shown ann typing in a room she left").isEmpty();
    }

    @Test
    void aStopBeingPublishedWhenItsUserLeavesIsNotToldAgainByTheLeaving() throws Exception {
        InMemoryStores stores = annAndBob();
        CountDownLatch stopDecided = new CountDownLatch(1);
        CountDownLatch left = new CountDownLatch(1);
        TypingService racing = heldAfterTheDecision(stores, "stopper", stopDecided, left);
        racing.typing(ANN, "room_t", true);

        whileHeld("stopper", () -> racing.typing(ANN, "room_t", false), stopDecided, () -> leave(stores, racing),
                left);

        assertThat(relayed()).as("bob is never left showing ann typing").containsExactly("start", "stop");
        assertThat(publisher.published().getLast().userIds()).contains("bob");
    }

    @Test
    void aStopCheckedWhenItsUserLeavesIsNotRelayedAgainAfterTheLeavingsOwnStop() throws Exception {
        InMemoryStores stores = annAndBob();
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch left = new CountDownLatch(1);
        TypingService racing = heldAfterTheCheck(stores, "stopper", checked, left);
        racing.typing(ANN, "room_t", true);

        whileHeld("stopper", () -> racing.typing(ANN, "room_t", false), checked, () -> leave(stores, racing), left);

        assertThat(relayed()).as("bob is told once that ann stopped").containsExactly("start", "stop");
    }

    /** Ann leaves room_t as a removal does: the store first, then the typing indicators. */
    private static void leave(InMemoryStores stores, TypingService typing) {
        stores.rooms().removeMember("room_t", "ann");
        typing.memberLeft("room_t", "ann");
    }

    /**
     * Runs {@code typing} on a thread named {@code name}; once the service holds it ({@code held}), starts
     * {@code meanwhile} on a thread of its own (it may have to wait for the held one), lets the held thread go on
     * ({@code go}) and waits for both.
     */
    private static void whileHeld(String name, Runnable typing, CountDownLatch held, Runnable meanwhile,
                                  CountDownLatch go) throws InterruptedException {
        Thread thread = Thread.ofPlatform().name(name).start(typing);
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        Thread other = Thread.ofPlatform().name("meanwhile").start(meanwhile);
        other.join(200); // long enough for it to reach what the held thread holds
        go.countDown();
        thread.join(10_000);
        other.join(10_000);
        assertThat(thread.isAlive() || other.isAlive()).isFalse();
    }

    /**
     * A service whose room store holds the thread named {@code thread} once its indicator is decided, as it reads
     * the room's members to publish it ({@code decided}), until {@code go}.
     */
    private TypingService heldAfterTheDecision(InMemoryStores stores, String thread, CountDownLatch decided,
                                               CountDownLatch go) {
        RoomStore held = Intercepted.of(RoomStore.class, stores.rooms(), "members", () -> {
            if (Thread.currentThread().getName().equals(thread)) {
                decided.countDown();
                go.await(10, TimeUnit.SECONDS);
            }
        });
        return new TypingService(held, publisher, now::get);
    }

    @Test
    void aClosingConnectionEndsAStartButNotTheBudget() {
        for (int i = 0; i < 9; i++) {
            typing.typing(ANN, "room_t", i % 2 == 0);
        }
        typing.connectionClosed("ann");
        typing.connectionClosed("ann");
        typing.connectionClosed("bob");
        assertThat(relayed()).as("five starts, the last ended by the close, once").hasSize(10).endsWith("stop");
        typing.typing(ANN, "room_t", true);
        assertThat(relayed()).as("the budget is still spent").hasSize(10);
    }

    @Test
    void aWallClockSteppedBackStartsAfresh() {
        for (int i = 0; i < 10; i++) {
            typing.typing(ANN, "room_t", i % 2 == 0);
        }
        typing.typing(ANN, "room_t", true);
        assertThat(relayed()).as("the budget is spent").hasSize(10);
        step(Duration.ofHours(-1));
        typing.typing(ANN, "room_t", true);
        assertThat(relayed()).hasSize(11).endsWith("start");
    }

    /**
     * A service whose clock holds the thread named {@code thread} once, right after its first membership check
     * ({@code checked}), until {@code go}.
     */
    private TypingService heldAfterTheCheck(InMemoryStores stores, String thread, CountDownLatch checked,
                                            CountDownLatch go) {
        return new TypingService(stores.rooms(), publisher, () -> {
            if (Thread.currentThread().getName().equals(thread) && checked.getCount() > 0) {
                checked.countDown();
                try {
                    go.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return now.get();
        });
    }

    private List<String> relayed() {
        return publisher.published().stream().map(p -> (ChatEvent.Typing) p.event())
                .map(t -> t.start() ? "start" : "stop").toList();
    }

    private void step(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }
}
