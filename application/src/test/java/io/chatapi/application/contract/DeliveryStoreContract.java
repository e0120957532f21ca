package io.chatapi.application.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DueWebhook;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.OwedMessage;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every {@link io.chatapi.application.port.out.DeliveryStore} must do. */
public abstract class DeliveryStoreContract extends StoreContract {

    @Test
    void pendingIsOrderedByRoomThenSeq() {
        group("room_b", T0, "alice", "bob", "carol");
        group("room_a", T0, "alice", "bob");
        sendTo("room_b", "bob", "carol");
        sendTo("room_a", "bob");
        sendTo("room_b", "bob");
        sendTo("room_a", "bob");

        assertThat(stores.deliveries().pending(10)).extracting(p -> p.roomId() + "#" + p.seq() + "@" + p.userId())
                .containsExactly("room_a#1@bob", "room_a#2@bob", "room_b#1@bob", "room_b#1@carol", "room_b#2@bob");
        List<PendingDelivery> first = stores.deliveries().pending(2);
        assertThat(first).extracting(PendingDelivery::roomId).containsExactly("room_a", "room_a");
        List<PendingDelivery> next = stores.deliveries().pending(first.getLast(), 2);
        assertThat(next).extracting(p -> p.roomId() + "#" + p.seq() + "@" + p.userId())
                .containsExactly("room_b#1@bob", "room_b#1@carol");
        assertThat(stores.deliveries().pending(next.getLast(), 2)).extracting(p -> p.roomId() + "#" + p.seq())
                .containsExactly("room_b#2");
        assertThat(stores.deliveries().pending(stores.deliveries().pending(10).getLast(), 2)).isEmpty();
        assertThat(stores.deliveries().pendingFor("bob")).extracting(p -> p.roomId() + "#" + p.seq())
                .containsExactly("room_a#1", "room_a#2", "room_b#1", "room_b#2");
        assertThat(stores.deliveries().pendingFor("carol")).extracting(PendingDelivery::seq).containsExactly(1L);
        assertThat(stores.deliveries().pendingFor("dave")).isEmpty();
        List<PendingDelivery> bobs = stores.deliveries().pendingFor("bob", null, 3);
        assertThat(bobs).extracting(p -> p.roomId() + "#" + p.seq())
                .containsExactly("room_a#1", "room_a#2", "room_b#1");
        assertThat(stores.deliveries().pendingFor("bob", bobs.getLast(), 3))
                .extracting(p -> p.roomId() + "#" + p.seq())
                .as("the next page of bob's, after the last one").containsExactly("room_b#2");
        assertThat(stores.deliveries().pendingFor("carol", bobs.get(1), 3)).extracting(PendingDelivery::seq)
                .as("after another user's entry: carol's that sort after it").containsExactly(1L);
    }

    @Test
    void aMemberWhoLeavesARoomIsOwedNothingMoreFromIt() {
        group("room_a", T0, "alice", "bob", "carol");
        group("room_b", T0, "alice", "bob");
        sendTo("room_a", "bob", "carol");
        sendTo("room_b", "bob");

        assertThat(stores.rooms().removeMember("room_a", "bob")).isTrue();

        assertThat(stores.deliveries().pendingFor("bob")).extracting(PendingDelivery::roomId).containsExactly("room_b");
        assertThat(stores.deliveries().pendingFor("carol")).extracting(PendingDelivery::roomId).containsExactly("room_a");
    }

    @Test
    void aMemberWhoLeavesAndComesBackFindsTheirReadPositionWhereTheyLeftIt() {
        group("room_a", T0, "alice", "bob", "carol");
        sendTo("room_a");
        assertThat(stores.deliveries().acknowledge("bob", "room_a", 1)).isTrue();
        assertThat(stores.deliveries().acknowledge("carol", "room_a", 1)).isTrue();

        assertThat(stores.rooms().removeMember("room_a", "bob")).isTrue();
        assertThat(stores.rooms().addMember(new Member("room_a", "bob", MemberRole.MEMBER, T0), 10)).isTrue();

        assertThat(stores.deliveries().acknowledge("bob", "room_a", 1)).as("bob's position stayed").isFalse();
        assertThat(stores.deliveries().acknowledge("carol", "room_a", 1)).as("carol's too").isFalse();
        assertThat(stores.deliveries().acknowledge("bob", "room_a", 2)).isTrue();
    }

    @Test
    void aStoredMessageCanBeQueuedForMoreRecipientsWithTheirWebhooks() {
        group("room_a", T0, "alice", "bob", "carol");
        Message stored = sendTo("room_a", "bob");
        OutboxItem hook = new OutboxItem("wh_late", OutboxItem.MESSAGE_OFFLINE, "carol", "room_a", stored.id(),
                stored.seq(), "{}");

        stores.deliveries().queueOffline(stored, new DeliveryPlan.Deliveries(List.of("carol"), List.of(hook)));

        assertThat(stores.deliveries().pending(10)).extracting(p -> p.userId() + "#" + p.seq() + "@" + p.messageId())
                .containsExactly("bob#1@" + stored.id(), "carol#1@" + stored.id());
        assertThat(stores.deliveries().dueWebhooks(stored.createdAt(), 10)).extracting(DueWebhook::item)
                .containsExactly(hook);
    }

    @Test
    void aRecipientWhoHasTheMessageQueuedAlreadyGetsNeitherASecondEntryNorASecondWebhook() {
        group("room_a", T0, "alice", "bob", "carol");
        Message stored = sendTo("room_a", "bob");
        OutboxItem bobs = new OutboxItem("wh_bob", OutboxItem.MESSAGE_OFFLINE, "bob", "room_a", stored.id(),
                stored.seq(), "{}");
        OutboxItem carols = new OutboxItem("wh_carol", OutboxItem.MESSAGE_OFFLINE, "carol", "room_a", stored.id(),
                stored.seq(), "{}");

        stores.deliveries().queueOffline(List.of(
                new OwedMessage(stored, new DeliveryPlan.Deliveries(List.of("bob", "carol"), List.of(bobs, carols))),
                new OwedMessage(stored, new DeliveryPlan.Deliveries(List.of("carol"), List.of(carols)))));

        assertThat(stores.deliveries().pending(10)).extracting(p -> p.userId() + "#" + p.seq())
                .containsExactly("bob#1", "carol#1");
        assertThat(stores.deliveries().dueWebhooks(stored.createdAt(), 10)).extracting(DueWebhook::item)
                .containsExactly(carols);
    }

    @Test
    void aMessageDeletedBeforeItIsQueuedForMoreRecipientsIsQueuedForNobody() {
        group("room_a", T0, "alice", "bob");
        Message stored = sendTo("room_a");
        OutboxItem hook = new OutboxItem("wh_late", OutboxItem.MESSAGE_OFFLINE, "bob", "room_a", stored.id(),
                stored.seq(), "{}");
        assertThat(stores.messages().delete("room_a", stored.id())).isTrue();

        stores.deliveries().queueOffline(stored, new DeliveryPlan.Deliveries(List.of("bob"), List.of(hook)));

        assertThat(stores.deliveries().pending(10)).isEmpty();
        assertThat(stores.deliveries().dueWebhooks(stored.createdAt(), 10)).isEmpty();
    }

    @Test
    void aRecipientNoLongerInTheRoomWhenTheMessageIsQueuedForThemGetsNeitherEntryNorWebhook() {
        group("room_a", T0, "alice", "bob", "carol");
        Message stored = sendTo("room_a");
        OutboxItem bobs = new OutboxItem("wh_bob", OutboxItem.MESSAGE_OFFLINE, "bob", "room_a", stored.id(),
                stored.seq(), "{}");
        OutboxItem carols = new OutboxItem("wh_carol", OutboxItem.MESSAGE_OFFLINE, "carol", "room_a", stored.id(),
                stored.seq(), "{}");
        assertThat(stores.rooms().removeMember("room_a", "bob")).isTrue();

        stores.deliveries().queueOffline(stored,
                new DeliveryPlan.Deliveries(List.of("bob", "carol"), List.of(bobs, carols)));

        assertThat(stores.deliveries().pending(10)).extracting(p -> p.userId() + "#" + p.seq())
                .containsExactly("carol#1");
        assertThat(stores.deliveries().dueWebhooks(stored.createdAt(), 10)).extracting(DueWebhook::item)
                .containsExactly(carols);
    }

    @Test
    void aRecipientWhoAckedTheMessageAlreadyGetsNeitherEntryNorWebhook() {
        group("room_a", T0, "alice", "bob", "carol");
        Message first = sendTo("room_a");
        Message second = sendTo("room_a");
        assertThat(stores.deliveries().acknowledge("bob", "room_a", first.seq())).isTrue();
        assertThat(stores.deliveries().acknowledge("carol", "room_a", second.seq())).isTrue();

        for (Message stored : List.of(first, second)) {
            List<OutboxItem> hooks = List.of("bob", "carol").stream().map(user -> new OutboxItem("wh_" + user + "_"
                    + stored.seq(), OutboxItem.MESSAGE_OFFLINE, user, "room_a", stored.id(), stored.seq(), "{}"))
                    .toList();
            stores.deliveries().queueOffline(stored, new DeliveryPlan.Deliveries(List.of("bob", "carol"), hooks));
        }

        assertThat(stores.deliveries().pending(10)).extracting(p -> p.userId() + "#" + p.seq())
                .containsExactly("bob#2");
        assertThat(stores.deliveries().dueWebhooks(second.createdAt(), 10)).extracting(w -> w.item().webhookId())
                .containsExactly("wh_bob_2");
    }

    @Test
    void removePendingRemovesOnlyThoseEntries() {
        group("room_a", T0, "alice", "bob");
        sendTo("room_a", "bob");
        sendTo("room_a", "bob");
        sendTo("room_a", "bob");
        List<PendingDelivery> queued = stores.deliveries().pendingFor("bob");

        stores.deliveries().removePending(List.of(queued.get(0).id(), queued.get(2).id()));
        stores.deliveries().removePending(List.of());

        assertThat(stores.deliveries().pendingFor("bob")).containsExactly(queued.get(1));
    }

    @Test
    void clearUpToRemovesAUsersEntriesOfOneRoomUpToASeq() {
        group("room_a", T0, "alice", "bob", "carol");
        group("room_b", T0, "alice", "bob");
        for (int i = 0; i < 3; i++) {
            sendTo("room_a", "bob", "carol");
            sendTo("room_b", "bob");
        }

        stores.deliveries().clearUpTo("bob", "room_a", 2);

        assertThat(stores.deliveries().pendingFor("bob")).extracting(p -> p.roomId() + "#" + p.seq())
                .containsExactly("room_a#3", "room_b#1", "room_b#2", "room_b#3");
        assertThat(stores.deliveries().pendingFor("carol")).hasSize(3);
    }

    @Test
    void acknowledgeMovesAUsersPositionOnlyForwardAndClearsUpToIt() {
        group("room_a", T0, "alice", "bob", "carol");
        group("room_b", T0, "alice", "bob");
        for (int i = 0; i < 4; i++) {
            sendTo("room_a", "bob", "carol");
        }

        assertThat(stores.deliveries().acknowledge("bob", "room_a", 2)).isTrue();
        assertThat(stores.deliveries().acknowledge("bob", "room_a", 2)).isFalse();
        assertThat(stores.deliveries().acknowledge("bob", "room_a", 1)).isFalse();
        assertThat(stores.deliveries().pendingFor("bob")).extracting(PendingDelivery::seq).containsExactly(3L, 4L);
        assertThat(stores.deliveries().acknowledge("bob", "room_a", 3)).isTrue();
        assertThat(stores.deliveries().acknowledge("carol", "room_a", 1)).isTrue();
        assertThat(stores.deliveries().acknowledge("bob", "room_b", 1)).as("a position per room").isTrue();

        assertThat(stores.deliveries().pendingFor("bob")).extracting(PendingDelivery::seq).containsExactly(4L);
        assertThat(stores.deliveries().pendingFor("carol")).extracting(PendingDelivery::seq)
                .containsExactly(2L, 3L, 4L);
    }

    @Test
    void readPositionsAreReadByUserAndByRoomAndAbsentWhereNothingWasAcknowledged() {
        stores.deliveries().acknowledge("bob", "room_a", 4);
        stores.deliveries().acknowledge("bob", "room_b", 9);
        stores.deliveries().acknowledge("carol", "room_a", 2);
        stores.deliveries().acknowledge("carol", "room_a", 7);

        var positions = stores.readPositions();
        assertThat(positions.ofUser("bob", List.of("room_a", "room_b", "room_c")))
                .isEqualTo(Map.of("room_a", 4L, "room_b", 9L));
        assertThat(positions.ofUser("bob", List.of("room_b"))).isEqualTo(Map.of("room_b", 9L));
        assertThat(positions.ofUser("dave", List.of("room_a"))).isEmpty();
        assertThat(positions.ofUser("bob", List.of())).isEmpty();
        assertThat(positions.inRoom("room_a", List.of("bob", "carol", "dave")))
                .isEqualTo(Map.of("bob", 4L, "carol", 7L));
        assertThat(positions.inRoom("room_b", List.of("carol"))).isEmpty();
        assertThat(positions.inRoom("room_a", List.of())).isEmpty();
    }

    @Test
    void failedAttemptsAreCountedUntilTheEntryBecomesADeadLetter() {
        group("room_a", T0, "alice", "bob", "carol");
        Message message = sendTo("room_a", "bob", "carol");
        long bobs = stores.deliveries().pendingFor("bob").getFirst().id();
        long carols = stores.deliveries().pendingFor("carol").getFirst().id();

        assertThat(stores.deliveries().recordAttempts(List.of(bobs), 3, at(10))).isZero();
        assertThat(stores.deliveries().recordAttempts(List.of(bobs, carols), 3, at(20))).isZero();
        assertThat(stores.deliveries().pendingFor("bob").getFirst().attempts()).isEqualTo(2);
        assertThat(stores.deliveries().pendingFor("carol").getFirst().attempts()).isEqualTo(1);

        assertThat(stores.deliveries().recordAttempts(List.of(bobs, carols, 999_999L), 3, at(30))).isEqualTo(1);

        assertThat(stores.deliveries().pendingFor("bob")).isEmpty();
        assertThat(stores.deliveries().pendingFor("carol")).extracting(PendingDelivery::attempts).containsExactly(2);
        assertThat(stores.deliveries().deadLetters(10)).singleElement().satisfies(dead -> {
            assertThat(dead.kind()).isEqualTo("offline");
            assertThat(dead.userId()).isEqualTo("bob");
            assertThat(dead.roomId()).isEqualTo("room_a");
            assertThat(dead.messageId()).isEqualTo(message.id());
            assertThat(dead.seq()).isEqualTo(1);
            assertThat(dead.attempts()).isEqualTo(3);
            assertThat(dead.createdAt()).isEqualTo(message.createdAt());
            assertThat(dead.lastAttemptAt()).isEqualTo(at(30));
        });
    }

    @Test
    void anExpiredEntryIsADeadLetterWithAllItsAttemptsAtOnce() {
        group("room_a", T0, "alice", "bob", "carol");
        sendTo("room_a", "bob", "carol");
        long bobs = stores.deliveries().pendingFor("bob").getFirst().id();
        long carols = stores.deliveries().pendingFor("carol").getFirst().id();
        stores.deliveries().recordAttempts(List.of(bobs), 5, at(10));

        assertThat(stores.deliveries().expire(List.of(bobs, 999_999L), 5, at(20))).isEqualTo(1);

        assertThat(stores.deliveries().pendingFor("bob")).isEmpty();
        assertThat(stores.deliveries().pendingFor("carol")).singleElement()
                .satisfies(p -> assertThat(p.id()).isEqualTo(carols));
        assertThat(stores.deliveries().deadLetters(10)).singleElement().satisfies(dead -> {
            assertThat(dead.userId()).isEqualTo("bob");
            assertThat(dead.attempts()).isEqualTo(5);
            assertThat(dead.lastAttemptAt()).isEqualTo(at(20));
        });
    }

    @Test
    void aWebhookIsDueFromItsTimeAndRetriedLater() {
        OutboxItem item = new OutboxItem("wh_1", "room.handoff", null, "room_a", null, 0,
                "{\"type\":\"room.handoff\"}");
        stores.deliveries().enqueueWebhook(item, at(10));

        assertThat(stores.deliveries().dueWebhooks(at(9), 10)).isEmpty();
        DueWebhook due = stores.deliveries().dueWebhooks(at(10), 10).getFirst();
        assertThat(due.item()).isEqualTo(item);
        assertThat(due.attempts()).isZero();

        stores.deliveries().webhookFailed(due.id(), 1, at(40), false, at(10));
        assertThat(stores.deliveries().dueWebhooks(at(39), 10)).isEmpty();
        assertThat(stores.deliveries().dueWebhooks(at(40), 10)).containsExactly(new DueWebhook(due.id(), item, 1));

        stores.deliveries().webhookDelivered(due.id());
        assertThat(stores.deliveries().dueWebhooks(at(1_000), 10)).isEmpty();
        assertThat(stores.deliveries().deadLetters(10)).isEmpty();
    }

    @Test
    void dueWebhooksAreOldestFirstAndLimited() {
        for (int i = 0; i < 5; i++) {
            stores.deliveries().enqueueWebhook(hook("wh_" + i), at(i));
        }

        assertThat(stores.deliveries().dueWebhooks(at(100), 3)).extracting(d -> d.item().webhookId())
                .containsExactly("wh_0", "wh_1", "wh_2");
        assertThat(stores.deliveries().dueWebhooks(at(3), 10)).extracting(d -> d.item().webhookId())
                .containsExactly("wh_0", "wh_1", "wh_2", "wh_3");
    }

    @Test
    void aPushNotificationIsMarkedReadOnceItsRecipientAckedItsMessage() {
        var deliveries = stores.deliveries();
        deliveries.enqueueWebhook(new OutboxItem("wh_3", OutboxItem.MESSAGE_OFFLINE, "bob", "room_a", "m3", 3, "{}"),
                at(1));
        deliveries.enqueueWebhook(new OutboxItem("wh_5", OutboxItem.MESSAGE_OFFLINE, "bob", "room_a", "m5", 5, "{}"),
                at(2));
        deliveries.enqueueWebhook(new OutboxItem("wh_other_room", OutboxItem.MESSAGE_OFFLINE, "bob", "room_b", "b1", 1,
                "{}"), at(3));
        deliveries.enqueueWebhook(new OutboxItem("wh_carol", OutboxItem.MESSAGE_OFFLINE, "carol", "room_a", "m2", 2,
                "{}"), at(4));
        deliveries.enqueueWebhook(new OutboxItem("wh_handoff", "room.handoff", "bob", "room_a", null, 1, "{}"), at(5));

        assertThat(deliveries.acknowledge("bob", "room_a", 3)).isTrue();
        assertThat(deliveries.dueWebhooks(at(10), 10)).extracting(d -> d.item().webhookId() + "=" + d.read())
                .containsExactly("wh_3=true", "wh_5=false", "wh_other_room=false", "wh_carol=false",
                        "wh_handoff=false");

        assertThat(deliveries.acknowledge("bob", "room_a", 5)).isTrue();
        assertThat(deliveries.dueWebhooks(at(10), 10)).filteredOn(DueWebhook::read)
                .extracting(d -> d.item().webhookId()).containsExactly("wh_3", "wh_5");
    }

    @Test
    void aPushNotificationReadBeforeItsRecipientLeftStaysReadAfterTheLeaveAndAfterAJoinAgain() {
        group("room_a", T0, "alice", "bob");
        var deliveries = stores.deliveries();
        deliveries.enqueueWebhook(new OutboxItem("wh_3", OutboxItem.MESSAGE_OFFLINE, "bob", "room_a", "m3", 3, "{}"),
                at(1));
        deliveries.enqueueWebhook(new OutboxItem("wh_5", OutboxItem.MESSAGE_OFFLINE, "bob", "room_a", "m5", 5, "{}"),
                at(2));
        deliveries.enqueueWebhook(new OutboxItem("wh_handoff", "room.handoff", "bob", "room_a", null, 1, "{}"), at(3));
        assertThat(deliveries.acknowledge("bob", "room_a", 3)).isTrue();

        assertThat(stores.rooms().removeMember("room_a", "bob")).isTrue();
        assertThat(deliveries.dueWebhooks(at(10), 10)).extracting(d -> d.item().webhookId() + "=" + d.read())
                .containsExactly("wh_3=true", "wh_5=false", "wh_handoff=false");

        assertThat(stores.rooms().addMember(new Member("room_a", "bob", MemberRole.MEMBER, T0), 10)).isTrue();
        assertThat(deliveries.dueWebhooks(at(10), 10)).extracting(d -> d.item().webhookId() + "=" + d.read())
                .containsExactly("wh_3=true", "wh_5=false", "wh_handoff=false");
    }

    @Test
    void aRetryWaitsBehindTheEntriesDueBeforeIt() {
        stores.deliveries().enqueueWebhook(hook("wh_1"), at(1));
        stores.deliveries().enqueueWebhook(hook("wh_2"), at(2));
        long retried = stores.deliveries().dueWebhooks(at(1), 1).getFirst().id();
        stores.deliveries().webhookFailed(retried, 1, at(5), false, at(1));
        stores.deliveries().enqueueWebhook(hook("wh_3"), at(5));

        assertThat(stores.deliveries().dueWebhooks(at(10), 10)).extracting(d -> d.item().webhookId())
                .containsExactly("wh_2", "wh_1", "wh_3");
    }

    @Test
    void aWebhookThatGivesUpBecomesADeadLetter() {
        OutboxItem item = new OutboxItem("wh_1", "message.offline", "bob", "room_a", "msg_1", 7, "{}");
        stores.deliveries().enqueueWebhook(item, at(10));
        long id = stores.deliveries().dueWebhooks(at(10), 1).getFirst().id();

        stores.deliveries().webhookFailed(id, 8, at(99), true, at(50));

        assertThat(stores.deliveries().dueWebhooks(at(1_000), 10)).isEmpty();
        assertThat(stores.deliveries().deadLetters(10)).singleElement().satisfies(dead -> {
            assertThat(dead.kind()).isEqualTo("webhook");
            assertThat(dead.userId()).isEqualTo("bob");
            assertThat(dead.roomId()).isEqualTo("room_a");
            assertThat(dead.messageId()).isEqualTo("msg_1");
            assertThat(dead.seq()).isEqualTo(7);
            assertThat(dead.attempts()).isEqualTo(8);
            assertThat(dead.createdAt()).isEqualTo(at(10));
            assertThat(dead.lastAttemptAt()).isEqualTo(at(50));
        });
    }

    @Test
    void deadLettersAreNewestFirstAndLimited() {
        for (int i = 0; i < 4; i++) {
            stores.deliveries().enqueueWebhook(hook("wh_" + i), at(i));
        }
        for (DueWebhook due : stores.deliveries().dueWebhooks(at(100), 10)) {
            stores.deliveries().webhookFailed(due.id(), 8, at(200), true, at(100 + due.item().seq()));
        }

        assertThat(stores.deliveries().deadLetters(3)).extracting(DeadLetter::seq).containsExactly(3L, 2L, 1L);
        assertThat(stores.deliveries().deadLetters(10)).extracting(DeadLetter::id).isSortedAccordingTo(
                (a, b) -> Long.compare(b, a));
    }

    @Test
    void theDatabaseTakesAWrite() {
        assertThat(stores.deliveries().writable()).isTrue();
    }

    private Message sendTo(String roomId, String... recipients) {
        MessageDraft draft = draft(roomId, "alice", "hi");
        DeliveryPlan plan = stored -> new DeliveryPlan.Deliveries(List.of(recipients), List.of());
        return stores.messages().append(draft, plan).message();
    }

    private static OutboxItem hook(String webhookId) {
        int n = Integer.parseInt(webhookId.substring(webhookId.indexOf('_') + 1));
        return new OutboxItem(webhookId, "message.offline", "bob", "room_a", "msg_" + n, n, "{}");
    }
}
