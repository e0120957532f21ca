package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.fake.OnlineUsers;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.ConnectionDirectory;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.PresenceStore;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

class PresenceServiceTest {
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final List<Collection<String>> audiences = new CopyOnWriteArrayList<>();
    private final List<ChatEvent.PresenceUpdate> events = new CopyOnWriteArrayList<>();
    private final EventPublisher publisher = new EventPublisher() {
        @Override
        public void publish(Collection<String> userIds, ChatEvent event) {
            audiences.add(Set.copyOf(userIds));
            if (event instanceof ChatEvent.PresenceUpdate update) {
                events.add(update);
            }
        }

        @Override
        public int publishToSettled(String userId, ChatEvent event, Duration minAge, boolean waitForAll) {
            return 0;
        }
    };

    @Test
    void peersOfSmallRoomsHearPresenceButLargeRoomsDoNot() {
        var stores = InMemoryStores.create();
        room(stores, "small", List.of("u", "friend"));
        List<String> crowd = new ArrayList<>(List.of("u"));
        for (int i = 0; i <= PresenceService.MAX_PRESENCE_ROOM_SIZE; i++) {
            crowd.add("fan" + i);
        }
        room(stores, "large", crowd);
        try (var presence = new PresenceService(stores.rooms(), stores.presence(), publisher, new OnlineUsers(Set.of()),
                () -> now, Duration.ofMillis(10))) {
            presence.firstConnectionOpened("u");
        }
        assertThat(audiences).containsExactly(Set.of("friend"));
    }

    @Test
    void aUserInManyRoomsIsAnnouncedWithOneReadOfTheStoreNotOnePerRoom() {
        var stores = InMemoryStores.create();
        for (int i = 0; i < 1_000; i++) {
            room(stores, "room_" + i, List.of("u", "peer" + i % 10));
        }
        Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
        RoomStore counted = (RoomStore) Proxy.newProxyInstance(RoomStore.class.getClassLoader(),
                new Class<?>[] {RoomStore.class}, (proxy, method, args) -> {
                    reads.computeIfAbsent(method.getName(), name -> new AtomicInteger()).incrementAndGet();
                    try {
                        return method.invoke(stores.rooms(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (var presence = new PresenceService(new CachingRoomStore(counted), stores.presence(), publisher,
                new OnlineUsers(Set.of()), () -> now, Duration.ofMillis(10))) {
            presence.firstConnectionOpened("u");
        }

        assertThat(audiences).singleElement().asInstanceOf(InstanceOfAssertFactories.collection(String.class))
                .hasSize(10);
        assertThat(reads.get("peersOf")).hasValue(1);
        assertThat(reads).as("no room's members read one by one").doesNotContainKey("members");
    }

    @Test
    void whoHeardAUserGoOnlineHearsTheOfflineAlsoOnceTheyShareNoSmallRoom() throws InterruptedException {
        var stores = InMemoryStores.create();
        room(stores, "small", List.of("u", "friend", "sleeper"));
        Set<String> connected = ConcurrentHashMap.newKeySet();
        connected.addAll(Set.of("u", "friend"));
        try (var presence = new PresenceService(stores.rooms(), stores.presence(), publisher,
                new OnlineUsers(connected), () -> now, Duration.ofMillis(10))) {
            presence.firstConnectionOpened("u");
            stores.rooms().removeMember("small", "friend"); // or the room grew past the limit
            connected.remove("u");
            presence.lastConnectionClosed("u");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (events.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        assertThat(published()).containsExactly("u online", "u offline");
        assertThat(audiences.getLast()).containsExactlyInAnyOrder("friend", "sleeper");
    }

    @Test
    void aGracefulRestartIsNoPresenceChangeForThoseWhoComeBackInTheWindow() throws InterruptedException {
        var stores = InMemoryStores.create();
        room(stores, "r", List.of("back", "gone", "left", "newcomer", "peer"));
        Set<String> connectedBefore = ConcurrentHashMap.newKeySet();
        try (var before = new PresenceService(stores.rooms(), stores.presence(), publisher,
                new OnlineUsers(connectedBefore), () -> now, Duration.ofSeconds(30))) {
            for (String user : List.of("back", "gone", "left")) {
                connectedBefore.add(user);
                before.firstConnectionOpened(user);
            }
            connectedBefore.remove("left");
            before.lastConnectionClosed("left"); // still shown online: its grace period is cut short by the stop
            before.keepForRestart().join();
        }
        audiences.clear();
        events.clear();
        Set<String> connected = ConcurrentHashMap.newKeySet();
        try (var after = new PresenceService(stores.rooms(), stores.presence(), publisher, new OnlineUsers(connected),
                () -> now.plusMillis(100), Duration.ofMillis(10))) {
            after.resumeAfterRestart(Duration.ofMillis(300));
            connected.add("back");
            after.firstConnectionOpened("back");
            connected.add("newcomer");
            after.firstConnectionOpened("newcomer");
            assertThat(published()).containsExactly("newcomer online");

            Thread.sleep(600);
            assertThat(published()).hasSize(3).startsWith("newcomer online")
                    .containsExactlyInAnyOrder("newcomer online", "gone offline", "left offline");
        }
    }

    @Test
    void theWindowRunsFromTheStopNotFromTheStart() throws InterruptedException {
        var stores = InMemoryStores.create();
        room(stores, "r", List.of("gone", "peer"));
        stores.presence().keepOnline(List.of("gone"), now.minusSeconds(20));
        try (var presence = new PresenceService(stores.rooms(), stores.presence(), publisher, new OnlineUsers(Set.of()),
                () -> now, Duration.ofMillis(10))) {
            presence.resumeAfterRestart(Duration.ofMillis(20_300)); // 300 ms of it left at this start
            Thread.sleep(1_000);
            assertThat(published()).containsExactly("gone offline");
        }
    }

    @Test
    void usersKeptLongerAgoThanTheWindowAreAnnouncedAsUsual() {
        var stores = InMemoryStores.create();
        room(stores, "r", List.of("u", "peer"));
        stores.presence().keepOnline(List.of("u"), now.minusSeconds(60));
        try (var presence = new PresenceService(stores.rooms(), stores.presence(), publisher, new OnlineUsers(Set.of()),
                () -> now, Duration.ofMillis(10))) {
            presence.resumeAfterRestart(Duration.ofSeconds(30));
            presence.firstConnectionOpened("u");
        }
        assertThat(published()).containsExactly("u online");
        assertThat(stores.presence().takeOnline()).isEmpty();
    }

    @Test
    void aConnectionThatOpensWhileTheKeptPresenceIsStillBeingReadWaitsForIt() throws Exception {
        var stores = InMemoryStores.create();
        room(stores, "r", List.of("back", "peer"));
        stores.presence().keepOnline(List.of("back"), now);
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PresenceStore slow = new PresenceStore() {
            @Override
            public void keepOnline(Collection<String> userIds, Instant at) {
                stores.presence().keepOnline(userIds, at);
            }

            @Override
            public Optional<Kept> takeOnline() {
                reading.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return stores.presence().takeOnline();
            }
        };
        try (var presence = new PresenceService(stores.rooms(), slow, publisher, new OnlineUsers(Set.of("back")),
                () -> now, Duration.ofMillis(10))) {
            presence.resumeAfterRestart(Duration.ofSeconds(30));
            assertThat(reading.await(5, TimeUnit.SECONDS)).isTrue();
            Thread connecting = Thread.ofVirtual().start(() -> presence.firstConnectionOpened("back"));
            assertThat(connecting.join(Duration.ofMillis(200))).isFalse();
            release.countDown();
            assertThat(connecting.join(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(published()).isEmpty();
    }

    @Test
    void aReturnAsTheGracePeriodEndsIsAnnouncedAfterTheOfflineNeverBeforeIt() throws Exception {
        var stores = InMemoryStores.create();
        room(stores, "small", List.of("u", "friend"));
        CountDownLatch graceChecking = new CountDownLatch(1);
        CountDownLatch letGraceGoOn = new CountDownLatch(1);
        Set<String> connected = ConcurrentHashMap.newKeySet();
        connected.add("friend");
        ConnectionDirectory directory = new ConnectionDirectory() {
            @Override
            public boolean isOnline(String userId) {
                if (userId.equals("u") && Thread.currentThread().getName().startsWith("presence-grace")) {
                    graceChecking.countDown(); // the grace period's end decides, and is held here
                    try {
                        letGraceGoOn.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }
                return connected.contains(userId);
            }

            @Override
            public Set<String> onlineUsers() {
                return Set.copyOf(connected);
            }

            @Override
            public Optional<Instant> lastConnected(String userId) {
                return Optional.empty();
            }

            @Override
            public void forgetClosedBefore(Instant cutoff) {
            }
        };
        try (var presence = new PresenceService(stores.rooms(), stores.presence(), publisher, directory, () -> now,
                Duration.ofMillis(10))) {
            presence.firstConnectionOpened("u");
            presence.lastConnectionClosed("u");
            assertThat(graceChecking.await(10, TimeUnit.SECONDS)).isTrue();
            Thread back = Thread.ofPlatform().start(() -> presence.firstConnectionOpened("u")); // the user returns
            Thread.sleep(200);
            letGraceGoOn.countDown();
            back.join(10_000);
        }
        assertThat(published()).containsExactly("u online", "u offline", "u online");
    }

    private List<String> published() {
        return events.stream().map(e -> e.userId() + (e.online() ? " online" : " offline")).toList();
    }

    private void room(InMemoryStores stores, String id, List<String> members) {
        Room room = new Room(id, RoomType.GROUP, null, null, 0, now, Handoff.initial(now));
        stores.rooms().createGroup(room, members.stream().map(u -> new Member(id, u, MemberRole.MEMBER, now)).toList());
    }
}
