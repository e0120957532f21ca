package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CachingRoomStoreTest {
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void membershipChangesThroughTheCacheAreSeenAtOnce() {
        var stores = InMemoryStores.create();
        var cache = new CachingRoomStore(stores.rooms());
        cache.createGroup(group("room_1"), List.of(member("room_1", "a"), member("room_1", "b")));
        assertThat(cache.members("room_1")).extracting(Member::userId).containsExactly("a", "b");
        cache.addMember(member("room_1", "c"));
        assertThat(cache.member("room_1", "c")).isPresent();
        cache.removeMember("room_1", "a");
        assertThat(cache.members("room_1")).extracting(Member::userId).containsExactly("b", "c");
    }

    @Test
    void aMemberChangeWaitsForTheHoldsOfItsRoomAndHoldsDoNotWaitForEachOther() throws Exception {
        var stores = InMemoryStores.create();
        var cache = new CachingRoomStore(stores.rooms());
        cache.createGroup(group("room_h"), List.of(member("room_h", "a"), member("room_h", "b")));
        CompletableFuture<Boolean> removal;
        try (var held = cache.holdMembers("room_h")) {
            List<Member> seenByAnotherHold = CompletableFuture.supplyAsync(() -> {
                try (var second = cache.holdMembers("room_h")) {
                    return cache.members("room_h");
                }
            }).get(5, TimeUnit.SECONDS);
            assertThat(seenByAnotherHold).extracting(Member::userId).containsExactly("a", "b");
            removal = CompletableFuture.supplyAsync(() -> cache.removeMember("room_h", "b"),
                    Executors.newVirtualThreadPerTaskExecutor());
            Thread.sleep(200);
            assertThat(removal).as("the removal waits while the room is held").isNotDone();
            assertThat(cache.members("room_h")).extracting(Member::userId).containsExactly("a", "b");
        }
        assertThat(removal.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(cache.members("room_h")).extracting(Member::userId).containsExactly("a");
    }

    @Test
    void aRemovalDropsTheMembersQueueBeforeItHoldsTheRoom() throws Exception {
        var stores = InMemoryStores.create();
        CountDownLatch dropping = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RoomStore slowToDrop = (RoomStore) Proxy.newProxyInstance(RoomStore.class.getClassLoader(),
                new Class<?>[] {RoomStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("dropQueued")) { // a long queue, deleted in many writes
                        dropping.countDown();
                        release.await();
                    }
                    try {
                        return method.invoke(stores.rooms(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        var cache = new CachingRoomStore(slowToDrop);
        cache.createGroup(group("room_q"), List.of(member("room_q", "a"), member("room_q", "b")));
        CompletableFuture<Boolean> removal = CompletableFuture.supplyAsync(() -> cache.removeMember("room_q", "b"),
                Executors.newVirtualThreadPerTaskExecutor());
        assertThat(dropping.await(5, TimeUnit.SECONDS)).isTrue();

        // meanwhile a send can hold the room's members: the removal does not hold them yet
        List<Member> seenBySend = CompletableFuture.supplyAsync(() -> {
            try (var held = cache.holdMembers("room_q")) {
                return cache.members("room_q");
            }
        }).get(5, TimeUnit.SECONDS);
        assertThat(seenBySend).extracting(Member::userId).containsExactly("a", "b");
        release.countDown();
        assertThat(removal.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(cache.members("room_q")).extracting(Member::userId).containsExactly("a");
    }

    @Test
    void theMemberListsKeptHoldAtMostTheirBudgetOfMembersAndALongerListIsReadEachTime() {
        var stores = InMemoryStores.create();
        // room for five members with one-character ids
        var cache = new CachingRoomStore(stores.rooms(), 5 * CachingRoomStore.bytes(List.of(member("r", "x"))), 1_000);
        for (String id : List.of("room_a", "room_b", "room_c")) {
            cache.createGroup(group(id), List.of(member(id, "x"), member(id, "y"), member(id, "z")));
        }
        cache.createGroup(group("room_big"), List.of(member("room_big", "1"), member("room_big", "2"),
                member("room_big", "3"), member("room_big", "4"), member("room_big", "5"), member("room_big", "6")));
        assertThat(cache.members("room_a")).hasSize(3);
        assertThat(cache.members("room_big")).hasSize(6);
        stores.rooms().removeMember("room_a", "x");
        stores.rooms().removeMember("room_big", "1");
        assertThat(cache.members("room_a")).as("kept").hasSize(3);
        assertThat(cache.members("room_big")).as("over the budget alone: never kept").hasSize(5);

        assertThat(cache.members("room_b")).hasSize(3); // 6 members would be over the budget: room_a goes
        assertThat(cache.members("room_a")).as("read again").hasSize(2);
    }

    @Test
    void aMemberListIsWeighedByTheLengthOfItsUserIdsToo() {
        var stores = InMemoryStores.create();
        var cache = new CachingRoomStore(stores.rooms(), 5 * CachingRoomStore.bytes(List.of(member("r", "x"))), 1_000);
        String longId = "\u0100".repeat(1_000);
        cache.createGroup(group("room_long"), List.of(member("room_long", longId), member("room_long", "y")));
        assertThat(cache.members("room_long")).hasSize(2);
        stores.rooms().removeMember("room_long", "y");
        assertThat(cache.members("room_long")).as("two members, but over the budget by their ids: never kept")
                .hasSize(1);
        assertThat(CachingRoomStore.bytes(List.of(member("r", longId))))
                .isGreaterThan(10 * CachingRoomStore.bytes(List.of(member("r", "x"))));
    }

    @Test
    void theRoomsKeptHoldAtMostTheirBudgetOfText() {
        var stores = InMemoryStores.create();
        var cache = new CachingRoomStore(stores.rooms(), 1_000, 10);
        for (String id : List.of("room_a", "room_b")) {
            cache.createGroup(new Room(id, RoomType.GROUP, "six ch", null, 0, now, Handoff.initial(now)),
                    List.of(member(id, "x"), member(id, "y")));
        }
        assertThat(cache.findForChecks("room_a")).isPresent();
        stores.rooms().update("room_a", "behind", null);
        assertThat(cache.findForChecks("room_a")).hasValueSatisfying(r -> assertThat(r.name()).isEqualTo("six ch"));

        assertThat(cache.findForChecks("room_b")).isPresent(); // 12 characters would be over the budget
        assertThat(cache.findForChecks("room_a")).hasValueSatisfying(r -> assertThat(r.name()).isEqualTo("behind"));
    }

    @Test
    void changesBehindItsBackNeedForgetAll() {
        var stores = InMemoryStores.create();
        var cache = new CachingRoomStore(stores.rooms());
        cache.createGroup(group("room_2"), List.of(member("room_2", "a"), member("room_2", "b")));
        assertThat(cache.members("room_2")).hasSize(2);
        stores.rooms().removeMember("room_2", "b");
        assertThat(cache.members("room_2")).hasSize(2);
        cache.forgetAll();
        assertThat(cache.members("room_2")).extracting(Member::userId).containsExactly("a");
    }

    @Test
    void theSendPathRoomFollowsHandoffAndRenamesMadeThroughTheCache() {
        var stores = InMemoryStores.create();
        var cache = new CachingRoomStore(stores.rooms());
        Room room = new Room("room_1", RoomType.GROUP, "old", null, 0, now, Handoff.initial(now));
        cache.createGroup(room, List.of(member("room_1", "a"), member("room_1", "b")));
        assertThat(cache.findForChecks("room_1")).hasValueSatisfying(r -> assertThat(r.name()).isEqualTo("old"));
        cache.update("room_1", "new", "{}");
        assertThat(cache.findForChecks("room_1")).hasValueSatisfying(r -> assertThat(r.name()).isEqualTo("new"));
        cache.setHandoff("room_1", new Handoff(io.chatapi.domain.HandoffState.HUMAN, "ann", null, "ann", now));
        assertThat(cache.findForChecks("room_1")).hasValueSatisfying(r -> assertThat(r.handoff().human()).isTrue());
        assertThat(cache.findForChecks("room_missing")).isEmpty();
    }

    @Test
    void aRoomWithLongNameAndMetadataIsReadFromTheStoreEachTime() {
        var stores = InMemoryStores.create();
        var cache = new CachingRoomStore(stores.rooms());
        String half = "x".repeat(CachingRoomStore.MAX_KEPT_TEXT_CHARS / 2);
        cache.createGroup(new Room("small", RoomType.GROUP, half, "{\"k\":\"" + half.substring(8) + "\"}", 0, now,
                Handoff.initial(now)), List.of(member("small", "a"), member("small", "b")));
        cache.createGroup(new Room("large", RoomType.GROUP, half, "{\"k\":\"" + half + "\"}", 0, now,
                Handoff.initial(now)), List.of(member("large", "a"), member("large", "b")));
        assertThat(cache.findForChecks("small")).isPresent();
        assertThat(cache.findForChecks("large")).isPresent();

        stores.rooms().update("small", "renamed behind its back", null);
        stores.rooms().update("large", "renamed behind its back", null);

        assertThat(cache.findForChecks("small")).hasValueSatisfying(r -> assertThat(r.name()).isEqualTo(half));
        assertThat(cache.findForChecks("large"))
                .hasValueSatisfying(r -> assertThat(r.name()).isEqualTo("renamed behind its back"));
    }

    @Test
    void aValueReadBeforeAChangeIsNeverVisibleEvenForAMoment() {
        var kept = new CachingRoomStore.Kept<List<Member>>(List::size, 100);
        var visibleWhileAsked = new AtomicReference<List<Member>>();
        kept.keep("room_1", List.of(member("room_1", "stale")), () -> {
            visibleWhileAsked.set(kept.get("room_1"));
            return true;
        });
        assertThat(visibleWhileAsked.get()).as("a reader between the keep and the check").isNull();
        assertThat(kept.get("room_1")).isNull();
    }

    @Test
    void keepingARoomAgainWeighsOnlyItsNewValue() {
        var kept = new CachingRoomStore.Kept<List<Member>>(List::size, 5);
        kept.keep("room_b", List.of(member("room_b", "x"), member("room_b", "y")), () -> false);
        List<Member> three = List.of(member("room_a", "x"), member("room_a", "y"), member("room_a", "z"));
        kept.keep("room_a", three, () -> false);
        kept.keep("room_a", three, () -> false); // two readers missed at once: 2 + 3 members still fit
        assertThat(kept.get("room_b")).hasSize(2);
        assertThat(kept.get("room_a")).hasSize(3);
    }

    @Test
    void aFullCacheDropsAnEighthOfItsRoomsInTurnNotAll() {
        var kept = new CachingRoomStore.Kept<List<Member>>(List::size, 800);
        for (int i = 0; i < 800; i++) {
            kept.keep("room_" + i, List.of(member("room_" + i, "x")), () -> false);
        }
        assertThat(kept.size()).isEqualTo(800);

        kept.keep("room_new", List.of(member("room_new", "x")), () -> false);
        assertThat(kept.size()).as("an eighth dropped, about 100 rooms").isBetween(600, 750);
        assertThat(kept.weightKept()).isEqualTo(kept.size());
        assertThat(kept.get("room_new")).isNotNull();

        java.util.Set<String> everDropped = new java.util.HashSet<>();
        for (int round = 0; round < 8; round++) {
            for (int i = 0; kept.size() < 800; i++) {
                kept.keep("fill_" + round + "_" + i, List.of(member("fill", "x")), () -> false);
            }
            for (int i = 0; i < 800; i++) {
                if (kept.get("room_" + i) == null) {
                    everDropped.add("room_" + i);
                }
            }
            kept.keep("room_new_" + round, List.of(member("room_new", "x")), () -> false);
        }
        assertThat(everDropped).as("each eighth in turn: every room goes once in eight").hasSize(800);
    }

    @Test
    void aHeavyValueDropsAsManyEighthsAsItNeeds() {
        var kept = new CachingRoomStore.Kept<List<Member>>(List::size, 80);
        for (int i = 0; i < 80; i++) {
            kept.keep("room_" + i, List.of(member("room_" + i, "x")), () -> false);
        }
        List<Member> heavy = java.util.stream.IntStream.range(0, 75).mapToObj(i -> member("big", "u" + i)).toList();
        kept.keep("big", heavy, () -> false);
        assertThat(kept.get("big")).hasSize(75);
        assertThat(kept.weightKept()).isLessThanOrEqualTo(80).isEqualTo(75 + kept.size() - 1);
    }

    private Room group(String roomId) {
        return new Room(roomId, RoomType.GROUP, null, null, 0, now, Handoff.initial(now));
    }

    private Member member(String roomId, String user) {
        return new Member(roomId, user, MemberRole.MEMBER, now);
    }
}
