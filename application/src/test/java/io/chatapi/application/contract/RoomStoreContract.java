package io.chatapi.application.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.application.port.out.RoomCursor;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.DmKey;
import io.chatapi.domain.ErrorCode;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.HandoffState;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every {@link io.chatapi.application.port.out.RoomStore} must do. */
public abstract class RoomStoreContract extends StoreContract {

    @Test
    void storesAGroupWithItsMembers() {
        Room room = new Room("room_1", RoomType.GROUP, "Team", "{\"k\":1}", 0, T0, Handoff.initial(T0));
        List<Member> members = List.of(member("room_1", "alice", T0), member("room_1", "bob", at(1)));

        assertThat(stores.rooms().createGroup(room, members)).isEqualTo(room);

        assertThat(stores.rooms().find("room_1")).contains(room);
        assertThat(stores.rooms().members("room_1")).isEqualTo(members);
        assertThat(stores.rooms().member("room_1", "bob")).contains(members.get(1));
        assertThat(stores.rooms().member("room_1", "carol")).isEmpty();
        assertThat(stores.rooms().find("room_missing")).isEmpty();
        assertThat(stores.rooms().members("room_missing")).isEmpty();
    }

    @Test
    void aPairHasOneDirectRoomWhateverTheOrder() {
        Room first = dm("alice", "bob", "room_first");
        Room second = dm("bob", "alice", "room_second");

        assertThat(second).isEqualTo(first);
        assertThat(first.id()).isEqualTo("room_first");
        assertThat(stores.rooms().find("room_second")).isEmpty();
        assertThat(stores.rooms().members("room_first")).extracting(Member::userId)
                .containsExactlyInAnyOrder("alice", "bob");
    }

    @Test
    void askingForTheDirectRoomAgainTakesBackTheOneWhoLeft() {
        Room first = dm("alice", "bob", "room_first");
        stores.rooms().removeMember("room_first", "bob");

        Room again = dm("bob", "alice", "room_again");

        assertThat(again.id()).isEqualTo("room_first");
        assertThat(stores.rooms().find("room_again")).isEmpty();
        assertThat(stores.rooms().members("room_first")).extracting(Member::roomId, Member::userId)
                .containsExactlyInAnyOrder(tuple("room_first", "alice"), tuple("room_first", "bob"));
        assertThat(stores.rooms().roomIdsOf("bob")).containsExactly(first.id());
    }

    @Test
    void oneKeptOutOfTheDirectRoomIsNotTakenBackUntilAddedAgain() {
        dm("alice", "bob", "room_first");
        assertThat(stores.rooms().removeKeepingOut("room_first", "bob")).isTrue();
        assertThat(stores.rooms().removeKeepingOut("room_first", "bob")).as("not a member any more").isFalse();

        Room again = dm("bob", "alice", "room_again");

        assertThat(again.id()).isEqualTo("room_first");
        assertThat(stores.rooms().members("room_first")).extracting(Member::userId).containsExactly("alice");
        assertThat(stores.rooms().keptOut("room_first", "bob")).isTrue();
        assertThat(stores.rooms().keptOut("room_first", "alice")).isFalse();

        stores.rooms().removeMember("room_first", "alice");
        dm("alice", "bob", "room_fourth");
        assertThat(stores.rooms().members("room_first")).as("one kept out: nobody is added back").isEmpty();

        assertThat(stores.rooms().addMember(member("room_first", "alice", at(4)))).isTrue();
        assertThat(stores.rooms().addMember(member("room_first", "bob", at(5)))).isTrue();
        assertThat(stores.rooms().keptOut("room_first", "bob")).isFalse();
        stores.rooms().removeMember("room_first", "bob");
        dm("alice", "bob", "room_third");
        assertThat(stores.rooms().members("room_first")).extracting(Member::userId)
                .containsExactlyInAnyOrder("alice", "bob");
    }

    @Test
    void aDirectRoomKnowsItsKey() {
        dm("alice", "bob", "room_dm");
        group("room_group", T0, "alice", "bob");

        assertThat(stores.rooms().dmKey("room_dm")).contains(DmKey.of("alice", "bob"));
        assertThat(stores.rooms().dmKey("room_group")).isEmpty();
        assertThat(stores.rooms().dmKey("room_missing")).isEmpty();
    }

    @Test
    void idsContainingTheSeparatorDoNotCollide() {
        Room one = dm("a:b", "c", "room_one");
        Room two = dm("a", "b:c", "room_two");
        Room three = dm("1:a", "b", "room_three");
        Room four = dm("1:", "ab", "room_four");

        assertThat(List.of(one.id(), two.id(), three.id(), four.id()))
                .containsExactly("room_one", "room_two", "room_three", "room_four");
    }

    @Test
    void concurrentDirectRoomCreationsAgreeOnOneRoom() throws Exception {
        int callers = 32;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Room>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                boolean flip = i % 2 == 0;
                String roomId = "room_candidate_" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return flip ? dm("alice", "bob", roomId) : dm("bob", "alice", roomId);
                }));
            }
            start.countDown();
            String winner = results.getFirst().get(30, TimeUnit.SECONDS).id();
            for (Future<Room> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS).id()).isEqualTo(winner);
            }
        }
        assertThat(stores.rooms().roomIdsOf("alice")).hasSize(1);
        assertThat(stores.rooms().roomIdsOf("bob")).hasSize(1);
    }

    @Test
    void roomsOfAUserAreNewestFirst() {
        group("room_old", at(0), "alice", "bob");
        group("room_new", at(20), "alice");
        group("room_mid", at(10), "alice", "carol");
        group("room_other", at(30), "bob");

        assertThat(stores.rooms().roomIdsOf("alice")).containsExactly("room_new", "room_mid", "room_old");
        assertThat(stores.rooms().roomIdsOf("bob")).containsExactly("room_other", "room_old");
        assertThat(stores.rooms().roomIdsOf("nobody")).isEmpty();
    }

    @Test
    void peersAreTheOthersInTheUsersRoomsUpToASize() {
        group("room_a", at(0), "alice", "bob", "carol");
        group("room_b", at(1), "alice", "bob");
        group("room_big", at(2), "alice", "dave", "erin", "frank");
        group("room_other", at(3), "bob", "gina");
        group("room_alone", at(4), "alice");

        assertThat(stores.rooms().peersOf("alice", 3)).containsExactlyInAnyOrder("bob", "carol");
        assertThat(stores.rooms().peersOf("alice", 4))
                .containsExactlyInAnyOrder("bob", "carol", "dave", "erin", "frank");
        assertThat(stores.rooms().peersOf("bob", 2)).containsExactlyInAnyOrder("alice", "gina");
        assertThat(stores.rooms().peersOf("nobody", 200)).isEmpty();
    }

    @Test
    void roomsOfAUserComeInPagesNewestFirstWithTiesByIdDescending() {
        Room old = group("room_old", at(0), "alice");
        Room tieA = group("room_tie_a", at(10), "alice", "bob");
        Room tieC = group("room_tie_c", at(10), "alice");
        Room tieB = group("room_tie_b", at(10), "alice");
        Room named = new Room("room_new", RoomType.GROUP, "Team", "{\"k\":[1,2]}", 0, at(20), Handoff.initial(at(20)));
        Room newest = stores.rooms().createGroup(named, List.of(member("room_new", "alice", at(20))));
        group("room_other", at(15), "bob");

        List<Room> first = stores.rooms().roomsOf("alice", RoomCursor.START, 2);
        List<Room> second = stores.rooms().roomsOf("alice", RoomCursor.after(first.getLast()), 2);
        List<Room> third = stores.rooms().roomsOf("alice", RoomCursor.after(second.getLast()), 2);

        assertThat(first).containsExactly(newest, tieC);
        assertThat(first.getFirst()).isEqualTo(named);
        assertThat(second).containsExactly(tieB, tieA);
        assertThat(third).containsExactly(old);
        assertThat(stores.rooms().roomsOf("alice", RoomCursor.after(old), 2)).isEmpty();
        assertThat(stores.rooms().roomIdsOf("alice"))
                .containsExactly("room_new", "room_tie_c", "room_tie_b", "room_tie_a", "room_old");
    }

    @Test
    void aPageStartsRightAfterItsCursorEvenBetweenTies() {
        group("room_a", at(10), "alice");
        group("room_b", at(10), "alice");
        group("room_c", at(10), "alice");

        assertThat(stores.rooms().roomsOf("alice", new RoomCursor(at(10), "room_c"), 10)).extracting(Room::id)
                .containsExactly("room_b", "room_a");
        assertThat(stores.rooms().roomsOf("alice", new RoomCursor(at(10), "room_bb"), 10)).extracting(Room::id)
                .containsExactly("room_b", "room_a");
        assertThat(stores.rooms().roomsOf("alice", new RoomCursor(at(10), "room_a"), 10)).isEmpty();
        assertThat(stores.rooms().roomsOf("alice", new RoomCursor(at(11), ""), 10)).extracting(Room::id)
                .containsExactly("room_c", "room_b", "room_a");
    }

    @Test
    void noRoomsIsAnEmptyPageAndExactlyOnePageIsFollowedByAnEmptyOne() {
        assertThat(stores.rooms().roomsOf("alice", RoomCursor.START, 3)).isEmpty();

        group("room_1", at(1), "alice");
        group("room_2", at(2), "alice");
        group("room_3", at(3), "alice");

        List<Room> page = stores.rooms().roomsOf("alice", RoomCursor.START, 3);
        assertThat(page).extracting(Room::id).containsExactly("room_3", "room_2", "room_1");
        assertThat(stores.rooms().roomsOf("alice", RoomCursor.after(page.getLast()), 3)).isEmpty();
        assertThat(stores.rooms().roomsOf("alice", RoomCursor.START, 1)).extracting(Room::id)
                .containsExactly("room_3");
    }

    @Test
    void roomsChangedBetweenPagesAreListedOnceOrNotAtAll() {
        group("room_1", at(1), "alice");
        group("room_2", at(2), "alice");
        group("room_3", at(3), "alice");
        List<Room> first = stores.rooms().roomsOf("alice", RoomCursor.START, 2);

        group("room_4", at(4), "alice"); // newer than the page already read: belongs to a later listing
        group("room_0", at(0), "bob");
        stores.rooms().addMember(member("room_0", "alice", at(5)));

        assertThat(first).extracting(Room::id).containsExactly("room_3", "room_2");
        assertThat(stores.rooms().roomsOf("alice", RoomCursor.after(first.getLast()), 2)).extracting(Room::id)
                .containsExactly("room_1", "room_0");
    }

    @Test
    void updateChangesOnlyTheGivenFields() {
        group("room_1", T0, "alice");

        Room renamed = stores.rooms().update("room_1", "Renamed", null).orElseThrow();
        assertThat(renamed.name()).isEqualTo("Renamed");
        assertThat(renamed.metadata()).isNull();

        Room described = stores.rooms().update("room_1", null, "{\"topic\":\"x\"}").orElseThrow();
        assertThat(described.name()).isEqualTo("Renamed");
        assertThat(described.metadata()).isEqualTo("{\"topic\":\"x\"}");

        assertThat(stores.rooms().update("room_1", null, null)).contains(described);
        assertThat(stores.rooms().find("room_1")).contains(described);
        assertThat(stores.rooms().update("room_missing", "x", "y")).isEmpty();
    }

    @Test
    void handoffIsReplaced() {
        group("room_1", T0, "alice");
        Handoff human = new Handoff(HandoffState.HUMAN, "agent_7", "asked for a person", "alice", at(5));

        Room changed = stores.rooms().setHandoff("room_1", human).orElseThrow();

        assertThat(changed.handoff()).isEqualTo(human);
        assertThat(stores.rooms().find("room_1").orElseThrow().handoff()).isEqualTo(human);
        assertThat(stores.rooms().setHandoff("room_missing", human)).isEmpty();
    }

    @Test
    void aHandOverStoresTheStateTheAgentAndTheMarkerTogether() {
        group("room_1", T0, "alice");
        Handoff human = new Handoff(HandoffState.HUMAN, "agent_7", "vip", "agent_7", at(5));
        Member agent = new Member("room_1", "agent_7", MemberRole.AGENT, at(5));
        DeliveryPlan plan = stored -> new DeliveryPlan.Deliveries(List.of("alice"), List.of(new OutboxItem("wh_1",
                "room.handoff", null, "room_1", stored.id(), stored.seq(), "{}")));

        Appended appended = stores.rooms().handOver(human, agent, draft("room_1", "system", "handed over"), plan);

        assertThat(appended.duplicate()).isFalse();
        assertThat(appended.message().seq()).isEqualTo(1);
        Room room = stores.rooms().find("room_1").orElseThrow();
        assertThat(room.handoff()).isEqualTo(human);
        assertThat(room.lastSeq()).isEqualTo(1);
        assertThat(stores.rooms().member("room_1", "agent_7")).contains(agent);
        assertThat(stores.messages().after("room_1", 0, 10)).containsExactly(appended.message());
        assertThat(stores.deliveries().pendingFor("alice")).extracting(PendingDelivery::seq).containsExactly(1L);
        assertThat(stores.deliveries().dueWebhooks(at(10), 10)).extracting(due -> due.item().kind())
                .containsExactly("room.handoff");

        Handoff back = new Handoff(HandoffState.BOT, null, null, "agent_7", at(6));
        stores.rooms().handOver(back, null, draft("room_1", "system", "back"), DeliveryPlan.NONE);
        assertThat(stores.rooms().find("room_1").orElseThrow().handoff()).isEqualTo(back);
        assertThat(stores.rooms().members("room_1")).extracting(Member::userId).containsExactly("alice", "agent_7");
    }

    @Test
    void aHandOverThatFailsStoresNoneOfItAndCanBeMadeAgain() {
        Room before = group("room_1", T0, "alice");
        Handoff human = new Handoff(HandoffState.HUMAN, "agent_7", null, "agent_7", at(5));
        Member agent = new Member("room_1", "agent_7", MemberRole.AGENT, at(5));
        DeliveryPlan failing = stored -> {
            throw new IllegalStateException("plan failed");
        };

        assertThatThrownBy(() -> stores.rooms().handOver(human, agent, draft("room_1", "system", "x"), failing))
                .hasMessageContaining("plan failed");

        assertThat(stores.rooms().find("room_1")).contains(before);
        assertThat(stores.rooms().members("room_1")).extracting(Member::userId).containsExactly("alice");
        assertThat(stores.messages().after("room_1", 0, 10)).isEmpty();

        stores.rooms().handOver(human, agent, draft("room_1", "system", "x"), DeliveryPlan.NONE);
        assertThat(stores.rooms().find("room_1").orElseThrow().handoff()).isEqualTo(human);
        assertThat(stores.messages().after("room_1", 0, 10)).extracting(Message::seq).containsExactly(1L);
    }

    @Test
    void handingOverAMissingRoomIsNotFound() {
        Handoff human = new Handoff(HandoffState.HUMAN, null, null, "bot_1", at(5));
        assertThatThrownBy(() -> stores.rooms().handOver(human, null, draft("room_missing", "system", "x"),
                DeliveryPlan.NONE)).isInstanceOfSatisfying(ChatException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void membersAreAddedOnceAndRemovedOnce() {
        group("room_1", T0, "alice");
        Member agent = new Member("room_1", "agent_7", MemberRole.AGENT, at(3));

        assertThat(stores.rooms().addMember(agent)).isTrue();
        assertThat(stores.rooms().addMember(new Member("room_1", "agent_7", MemberRole.MEMBER, at(9)))).isFalse();
        assertThat(stores.rooms().members("room_1")).extracting(Member::userId).containsExactly("alice", "agent_7");
        assertThat(stores.rooms().member("room_1", "agent_7")).contains(agent);
        assertThat(stores.rooms().roomIdsOf("agent_7")).containsExactly("room_1");

        assertThat(stores.rooms().removeMember("room_1", "agent_7")).isTrue();
        assertThat(stores.rooms().removeMember("room_1", "agent_7")).isFalse();
        assertThat(stores.rooms().member("room_1", "agent_7")).isEmpty();
        assertThat(stores.rooms().roomIdsOf("agent_7")).isEmpty();
    }

    @Test
    void membersAreOrderedByJoinTime() {
        group("room_1", at(5), "alice");
        stores.rooms().addMember(member("room_1", "early", at(1)));
        stores.rooms().addMember(member("room_1", "late", at(9)));

        assertThat(stores.rooms().members("room_1")).extracting(Member::userId)
                .containsExactly("early", "alice", "late");
    }

    @Test
    void aFullRoomTakesNoOneNewAndStillSaysWhoIsAlreadyIn() {
        group("room_1", T0, "alice", "bob");

        assertThat(stores.rooms().addMember(member("room_1", "bob", at(2)), 2)).isFalse();
        assertThatThrownBy(() -> stores.rooms().addMember(member("room_1", "carol", at(3)), 2))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessage("the room is full: a room holds at most 2 members");
        assertThat(stores.rooms().addMember(member("room_1", "carol", at(3)), 3)).isTrue();
        assertThat(stores.rooms().members("room_1")).extracting(Member::userId).containsExactly("alice", "bob", "carol");
    }

    @Test
    void addingAMemberToAMissingRoomIsNotFound() {
        assertThatThrownBy(() -> stores.rooms().addMember(member("room_missing", "alice", T0)))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    private Room dm(String a, String b, String candidateId) {
        Room room = room(candidateId, RoomType.DM, T0);
        List<Member> members = List.of(member(candidateId, a, T0), member(candidateId, b, T0));
        return stores.rooms().createOrGetDm(DmKey.of(a, b), room, members);
    }
}
