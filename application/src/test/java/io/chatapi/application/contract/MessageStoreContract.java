package io.chatapi.application.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DueWebhook;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.application.port.out.SharedBody;
import io.chatapi.application.port.out.WebhookBody;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.ErrorCode;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** What every {@link io.chatapi.application.port.out.MessageStore} must do. */
public abstract class MessageStoreContract extends StoreContract {

    @Test
    void seqStartsAtOneAndGrowsPerRoom() {
        group("room_a", T0, "alice");
        group("room_b", T0, "alice");

        assertThat(append("room_a", "one").seq()).isEqualTo(1);
        assertThat(append("room_a", "two").seq()).isEqualTo(2);
        assertThat(append("room_b", "other").seq()).isEqualTo(1);
        assertThat(append("room_a", "three").seq()).isEqualTo(3);

        assertThat(stores.rooms().find("room_a").orElseThrow().lastSeq()).isEqualTo(3);
        assertThat(stores.rooms().find("room_b").orElseThrow().lastSeq()).isEqualTo(1);
    }

    @Test
    void concurrentAppendersGetEverySeqExactlyOnce() throws Exception {
        group("room_a", T0, "alice");
        int senders = 50;
        int each = 10;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Long>>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < senders; s++) {
                String sender = "user_" + s;
                results.add(pool.submit(() -> {
                    start.await();
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        seqs.add(stores.messages().append(draft("room_a", sender, "m" + i), DeliveryPlan.NONE)
                                .message().seq());
                    }
                    return seqs;
                }));
            }
            start.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> result : results) {
                List<Long> seqs = result.get(60, TimeUnit.SECONDS);
                assertThat(seqs).isSorted();
                all.addAll(seqs);
            }
            assertThat(all).containsExactlyInAnyOrderElementsOf(
                    LongStream.rangeClosed(1, senders * each).boxed().toList());
        }
        assertThat(stores.messages().after("room_a", 0, 1000)).extracting(Message::seq)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, senders * each).boxed().toList());
    }

    @Test
    void aDeletedMessageLeavesAGapAndItsSeqIsNeverReused() {
        group("room_a", T0, "alice");
        append("room_a", "one");
        Message two = append("room_a", "two");
        append("room_a", "three");

        assertThat(stores.messages().delete("room_a", two.id())).isTrue();
        assertThat(stores.messages().delete("room_a", two.id())).isFalse();
        assertThat(stores.messages().find("room_a", two.id())).isEmpty();
        assertThat(append("room_a", "four").seq()).isEqualTo(4);
        assertThat(stores.messages().after("room_a", 0, 10)).extracting(Message::seq).containsExactly(1L, 3L, 4L);
    }

    @Test
    void storedMessagesRoundTripExactly() {
        group("room_a", T0, "alice");
        Instant createdAt = Instant.parse("2026-05-06T07:08:09.987654321Z");
        MessageDraft draft = new MessageDraft("msg_exact", "room_a", "alice", "héllo ✓", "{\"m\":true}", "c-1",
                createdAt);

        Message stored = stores.messages().append(draft, DeliveryPlan.NONE).message();

        Message expected = new Message("msg_exact", "room_a", "alice", 1, "héllo ✓", "{\"m\":true}", createdAt,
                null, "c-1");
        assertThat(stored).isEqualTo(expected);
        assertThat(stores.messages().find("room_a", "msg_exact")).contains(expected);
        assertThat(stores.messages().find("room_other", "msg_exact")).isEmpty();
        assertThat(stores.messages().findByClientId("room_a", "alice", "c-1")).contains(expected);
        assertThat(stores.messages().findByClientId("room_a", "bob", "c-1")).isEmpty();
    }

    @Test
    void aRepeatedClientIdReturnsTheOriginalWithoutRunningThePlan() {
        group("room_a", T0, "alice", "bob");
        group("room_b", T0, "alice");
        Message original = stores.messages().append(draft("room_a", "alice", "first", "c-1"), DeliveryPlan.NONE)
                .message();
        AtomicInteger planRuns = new AtomicInteger();
        DeliveryPlan counting = stored -> {
            planRuns.incrementAndGet();
            return new DeliveryPlan.Deliveries(List.of("bob"), List.of());
        };

        Appended again = stores.messages().append(draft("room_a", "alice", "second try", "c-1"), counting);

        assertThat(again.duplicate()).isTrue();
        assertThat(again.message()).isEqualTo(original);
        assertThat(planRuns).hasValue(0);
        assertThat(stores.deliveries().pendingFor("bob")).isEmpty();
        assertThat(stores.messages().after("room_a", 0, 10)).containsExactly(original);

        Appended otherSender = stores.messages().append(draft("room_a", "bob", "mine", "c-1"), DeliveryPlan.NONE);
        Appended otherRoom = stores.messages().append(draft("room_b", "alice", "there", "c-1"), DeliveryPlan.NONE);
        assertThat(otherSender.duplicate()).isFalse();
        assertThat(otherSender.message().seq()).isEqualTo(2);
        assertThat(otherRoom.duplicate()).isFalse();
    }

    @Test
    void theClientIdOfADeletedMessageStaysTakenAndARepeatAnswersWhatIsLeftOfIt() {
        group("room_a", T0, "alice", "bob");
        Message original = stores.messages().append(draft("room_a", "alice", "taken back", "c-9"), DeliveryPlan.NONE)
                .message();
        assertThat(stores.messages().delete("room_a", original.id())).isTrue();
        DeliveryPlan planned = stored -> {
            throw new AssertionError("a repeat runs no plan");
        };

        Appended again = stores.messages().append(draft("room_a", "alice", "taken back", "c-9"), planned);

        Message left = Message.deleted(original.id(), "room_a", "alice", 1, original.createdAt(), "c-9");
        assertThat(again.duplicate()).isTrue();
        assertThat(again.message()).isEqualTo(left);
        assertThat(stores.messages().findByClientId("room_a", "alice", "c-9")).contains(left);
        assertThat(stores.messages().after("room_a", 0, 10)).isEmpty();
        assertThat(append("room_a", "next").seq()).as("no seq was taken").isEqualTo(2);
        assertThat(stores.messages().append(draft("room_a", "bob", "mine", "c-9"), DeliveryPlan.NONE).duplicate())
                .as("another sender's key").isFalse();
    }

    @Test
    void thePlanSeesTheStoredMessageAndItsRowsAreCommittedWithIt() {
        group("room_a", T0, "alice", "bob", "carol");
        append("room_a", "before");
        List<Message> seen = new ArrayList<>();
        DeliveryPlan plan = stored -> {
            seen.add(stored);
            OutboxItem hook = new OutboxItem("wh_" + stored.seq(), "message.offline", "bob", stored.roomId(),
                    stored.id(), stored.seq(), "{\"seq\":" + stored.seq() + "}");
            return new DeliveryPlan.Deliveries(List.of("bob", "carol"), List.of(hook));
        };

        Appended appended = stores.messages().append(draft("room_a", "alice", "hello"), plan);

        Message stored = appended.message();
        assertThat(seen).containsExactly(stored);
        assertThat(stored.seq()).isEqualTo(2);
        assertThat(stores.deliveries().pendingFor("bob")).singleElement().satisfies(p -> {
            assertThat(p.roomId()).isEqualTo("room_a");
            assertThat(p.messageId()).isEqualTo(stored.id());
            assertThat(p.seq()).isEqualTo(2);
            assertThat(p.attempts()).isZero();
            assertThat(p.createdAt()).isEqualTo(stored.createdAt());
        });
        assertThat(stores.deliveries().pendingFor("carol")).extracting(PendingDelivery::seq).containsExactly(2L);
        assertThat(stores.deliveries().pendingFor("alice")).isEmpty();
        assertThat(stores.deliveries().dueWebhooks(stored.createdAt().minusNanos(1), 10)).isEmpty();
        assertThat(stores.deliveries().dueWebhooks(stored.createdAt(), 10)).singleElement().satisfies(due -> {
            assertThat(due.attempts()).isZero();
            assertThat(due.item()).isEqualTo(new OutboxItem("wh_2", "message.offline", "bob", "room_a", stored.id(),
                    2, "{\"seq\":2}"));
        });
    }

    @Test
    void notificationsThatShareABodyAreEachDeliveredWholeAndSurviveOneAnothersEnd() {
        group("room_a", T0, "alice", "bob", "carol", "dave");
        SharedBody shared = new SharedBody("{\"recipient_id\":\"",
                "\",\"room_metadata\":\"" + "m".repeat(5_000) + "\"}");
        DeliveryPlan plan = stored -> new DeliveryPlan.Deliveries(List.of("bob", "carol", "dave"),
                List.of("bob", "carol", "dave").stream().map(user -> new OutboxItem("wh_" + user,
                        OutboxItem.MESSAGE_OFFLINE, user, stored.roomId(), stored.id(), stored.seq(),
                        new WebhookBody(shared, user))).toList());
        Message stored = stores.messages().append(draft("room_a", "alice", "hello"), plan).message();

        List<DueWebhook> due = stores.deliveries().dueWebhooks(stored.createdAt(), 10);
        assertThat(due).extracting(d -> d.item().body().text()).containsExactly(
                shared.head() + "bob" + shared.tail(), shared.head() + "carol" + shared.tail(),
                shared.head() + "dave" + shared.tail());
        stores.deliveries().webhookDelivered(due.get(0).id());
        stores.deliveries().webhookFailed(due.get(1).id(), 8, at(60), true, at(30));

        assertThat(stores.deliveries().dueWebhooks(stored.createdAt(), 10)).singleElement()
                .satisfies(left -> assertThat(left.item().body().text())
                        .isEqualTo(shared.head() + "dave" + shared.tail()));
    }

    @Test
    void aFailingPlanStoresNothingAndConsumesNoSeq() {
        group("room_a", T0, "alice", "bob");
        DeliveryPlan failing = stored -> {
            throw new IllegalStateException("plan failed");
        };

        assertThatThrownBy(() -> stores.messages().append(draft("room_a", "alice", "lost"), failing))
                .isInstanceOf(IllegalStateException.class).hasMessage("plan failed");

        assertThat(stores.messages().after("room_a", 0, 10)).isEmpty();
        assertThat(stores.rooms().find("room_a").orElseThrow().lastSeq()).isZero();
        assertThat(append("room_a", "kept").seq()).isEqualTo(1);
    }

    @Test
    void appendingToAMissingRoomIsNotFound() {
        assertThatThrownBy(() -> append("room_missing", "hello"))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void afterAndWindowPage() {
        group("room_a", T0, "alice");
        List<Message> all = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            all.add(append("room_a", "m" + i));
        }

        assertThat(seqs(stores.messages().after("room_a", 3, 4))).containsExactly(4L, 5L, 6L, 7L);
        assertThat(seqs(stores.messages().after("room_a", 8, 100))).containsExactly(9L, 10L);
        assertThat(stores.messages().after("room_a", 10, 5)).isEmpty();
        assertThat(stores.messages().after("room_a", 0, 1)).containsExactly(all.getFirst());
        assertThat(seqs(stores.messages().window("room_a", 10, 3))).containsExactly(8L, 9L, 10L);
        assertThat(seqs(stores.messages().window("room_a", 5, 3))).containsExactly(3L, 4L, 5L);
        assertThat(seqs(stores.messages().window("room_a", 2, 5))).containsExactly(1L, 2L);
        assertThat(seqs(stores.messages().window("room_a", Long.MAX_VALUE, 2))).containsExactly(9L, 10L);
        assertThat(stores.messages().window("room_a", 0, 5)).isEmpty();
        assertThat(stores.messages().after("room_other", 0, 5)).isEmpty();
        assertThat(stores.messages().after("room_a", 0, 0)).isEmpty();
        assertThat(stores.messages().after("room_a", 0, -1)).isEmpty();
        assertThat(stores.messages().window("room_a", 10, -1)).isEmpty();

        stores.messages().delete("room_a", all.get(8).id());
        assertThat(seqs(stores.messages().window("room_a", 10, 3))).containsExactly(7L, 8L, 10L);
        assertThat(seqs(stores.messages().after("room_a", 7, 3))).containsExactly(8L, 10L);
    }

    @Test
    void editReplacesTheContent() {
        group("room_a", T0, "alice");
        group("room_b", T0, "alice");
        Message original = append("room_a", "typo");

        Message edited = stores.messages().edit("room_a", original.id(), "fixed", at(60)).orElseThrow();

        assertThat(edited).isEqualTo(original.edited("fixed", at(60)));
        assertThat(stores.messages().find("room_a", original.id())).contains(edited);
        assertThat(stores.messages().edit("room_a", "msg_missing", "x", at(61))).isEmpty();
        assertThat(stores.messages().edit("room_b", original.id(), "x", at(61))).isEmpty();
        assertThat(stores.messages().find("room_a", original.id())).contains(edited);
    }

    @Test
    void deletingAMessageDropsItsQueuedDeliveries() {
        group("room_a", T0, "alice", "bob");
        DeliveryPlan toBob = stored -> new DeliveryPlan.Deliveries(List.of("bob"), List.of());
        Message gone = stores.messages().append(draft("room_a", "alice", "gone"), toBob).message();
        Message kept = stores.messages().append(draft("room_a", "alice", "kept"), toBob).message();

        stores.messages().delete("room_a", gone.id());

        assertThat(stores.deliveries().pendingFor("bob")).extracting(PendingDelivery::messageId)
                .containsExactly(kept.id());
    }

    @Test
    void deletingAMessageDropsItsOfflineNotificationsNotYetSent() {
        group("room_a", T0, "alice", "bob");
        DeliveryPlan notifyBob = stored -> new DeliveryPlan.Deliveries(List.of("bob"), List.of(
                new OutboxItem("wh_" + stored.seq(), "message.offline", "bob", stored.roomId(), stored.id(),
                        stored.seq(), "{}")));
        Message gone = stores.messages().append(draft("room_a", "alice", "gone"), notifyBob).message();
        Message kept = stores.messages().append(draft("room_a", "alice", "kept"), notifyBob).message();
        DeliveryPlan handoffOfGone = stored -> new DeliveryPlan.Deliveries(List.of(), List.of(
                new OutboxItem("wh_handoff", "room.handoff", null, stored.roomId(), gone.id(), gone.seq(), "{}")));
        stores.messages().append(draft("room_a", Principal.SYSTEM, "handed over"), handoffOfGone);

        stores.messages().delete("room_a", gone.id());

        assertThat(stores.deliveries().dueWebhooks(at(3_600), 10)).extracting(due -> due.item().webhookId())
                .containsExactlyInAnyOrder("wh_" + kept.seq(), "wh_handoff");
    }

    @Test
    void theWindowLeavesSystemMessagesOutAndStillHoldsLimitMessages() {
        group("room_a", T0, "alice");
        append("room_a", "m1");
        append("room_a", "m2");
        stores.messages().append(draft("room_a", Principal.SYSTEM, "handed over"), DeliveryPlan.NONE);
        append("room_a", "m4");
        stores.messages().append(draft("room_a", Principal.SYSTEM, "handed back"), DeliveryPlan.NONE);
        append("room_a", "m6");

        assertThat(seqs(stores.messages().window("room_a", 6, 3))).containsExactly(2L, 4L, 6L);
        assertThat(seqs(stores.messages().window("room_a", 5, 2))).containsExactly(2L, 4L);
        assertThat(seqs(stores.messages().window("room_a", 6, 10))).containsExactly(1L, 2L, 4L, 6L);
    }

    private Message append(String roomId, String content) {
        return stores.messages().append(draft(roomId, "alice", content), DeliveryPlan.NONE).message();
    }

    private static List<Long> seqs(List<Message> messages) {
        return messages.stream().map(Message::seq).toList();
    }
}
