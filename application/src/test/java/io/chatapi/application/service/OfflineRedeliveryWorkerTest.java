package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.ConnectionDirectory;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.in.UnsentMessagesUseCase;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class OfflineRedeliveryWorkerTest {
    private static final Instant T0 = Instant.parse("2026-04-02T12:00:00Z");

    private final DeliveryStoreTestDouble store = new DeliveryStoreTestDouble();
    private final MessagesDouble messages = new MessagesDouble();
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final SocketsDouble sockets = new SocketsDouble(now::get);
    private final ServerMetrics metrics = new ServerMetrics();
    private final CachingRoomStore rooms = new CachingRoomStore(InMemoryStores.create().rooms());

    private OfflineRedeliveryWorker worker(int maxAttempts, TimeSource clock, Duration interval) {
        var settings = new ChatSettings(16_000, 10, 20, 500, maxAttempts, 8, Duration.ofSeconds(1),
                Duration.ofSeconds(5), false, 1_000);
        // a message a connection took and never wrote is queued again, as the transport's unsent messages are
        UnsentMessagesUseCase unsent = (userId, owed) -> owed.forEach(
                m -> store.queue(userId, m.roomId(), m.messageId(), m.seq(), now.get()));
        return new OfflineRedeliveryWorker(store, messages, rooms, sockets, sockets, unsent, settings, metrics, clock,
                interval);
    }

    private Message stored(String id, long seq) {
        var message = new Message(id, "room_1", "alice", seq, "hello " + seq, null, T0, null, null);
        messages.byId.put(id, message);
        return message;
    }

    /** Queues the message for the user, a member of the room. */
    private void queue(String userId, String roomId, String messageId, long seq) {
        if (rooms.findForChecks(roomId).isEmpty()) {
            rooms.createGroup(new Room(roomId, RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)), List.of());
        }
        rooms.addMember(new Member(roomId, userId, MemberRole.MEMBER, T0), Integer.MAX_VALUE);
        store.queue(userId, roomId, messageId, seq, T0);
    }

    @Test
    void anEntryAReceiptCoversIsRemovedNeitherWrittenNorCounted() {
        stored("msg_1", 1);
        Message second = stored("msg_2", 2);
        queue("bob", "room_1", "msg_1", 1);
        queue("bob", "room_1", "msg_2", 2);
        queue("carol", "room_1", "msg_1", 1);
        queue("carol", "room_1", "msg_2", 2);
        sockets.connect("bob", T0); // carol is away
        var worker = worker(5, now::get, Duration.ofSeconds(30));
        // both acknowledged seq 1, which the store has not cleared yet (a long queue is cleared in many writes)
        worker.setAcknowledged((userId, roomId) -> roomId.equals("room_1") ? 1 : 0);
        now.set(T0.plusSeconds(2));

        worker.runOnce();

        assertThat(sockets.sent).containsExactly(new Sent("bob", new ChatEvent.MessageCreated(second, false)));
        assertThat(store.allPending()).singleElement().satisfies(p -> {
            assertThat(p.userId()).isEqualTo("carol");
            assertThat(p.seq()).isEqualTo(2);
        });
        assertThat(metrics.deliveryAttempts.get()).as("bob's second, carol's second").isEqualTo(2);
        assertThat(metrics.deliveryFailures.get()).as("carol's second").isEqualTo(1);
    }

    @Test
    void anEntryWrittenWhileTheStoreRefusesItsRemovalIsNotWrittenAgain() {
        Message message = stored("msg_1", 1);
        queue("bob", "room_1", "msg_1", 1);
        sockets.connect("bob", T0);
        var worker = worker(5, now::get, Duration.ofSeconds(30));
        now.set(T0.plusSeconds(2));
        store.refuseWrites = true;

        assertThatThrownBy(worker::runOnce).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(worker::runOnce).isInstanceOf(StoreUnavailableException.class);
        assertThat(sockets.sent).containsExactly(new Sent("bob", new ChatEvent.MessageCreated(message, false)));

        store.refuseWrites = false;
        worker.runOnce();
        assertThat(store.allPending()).isEmpty();
        assertThat(sockets.sent).hasSize(1);
    }

    @Test
    void anEntryIsRemovedOnceWrittenNotOnceTakenAndGoesAgainWhenItsConnectionEndsWithoutWritingIt() {
        stored("msg_1", 1);
        Message second = stored("msg_2", 2);
        queue("bob", "room_1", "msg_1", 1);
        queue("bob", "room_1", "msg_2", 2);
        sockets.connect("bob", T0);
        sockets.writesLater = true;
        var worker = worker(5, now::get, Duration.ofSeconds(30));
        now.set(T0.plusSeconds(2));

        worker.runOnce();
        assertThat(sockets.sent).hasSize(2);
        assertThat(store.allPending()).as("taken, not written: a process killed now must not lose them").hasSize(2);
        worker.runOnce();
        assertThat(sockets.sent).as("not sent again while a connection holds them").hasSize(2);

        sockets.queued.get(0).written = true;
        sockets.queued.get(1).ended = true;
        long before = store.allPending().stream().filter(p -> p.messageId().equals("msg_2")).findFirst().orElseThrow()
                .id();
        worker.runOnce();
        assertThat(store.allPending()).singleElement().satisfies(p -> {
            assertThat(p.messageId()).isEqualTo("msg_2");
            assertThat(p.id()).as("queued afresh, as a message a closed connection never wrote").isNotEqualTo(before);
        });
        assertThat(sockets.sent).as("the one its connection never wrote goes again").hasSize(3)
                .last().isEqualTo(new Sent("bob", new ChatEvent.MessageCreated(second, false)));
        sockets.queued.get(2).written = true;
        worker.runOnce();
        assertThat(store.allPending()).isEmpty();
        assertThat(sockets.sent).hasSize(3);
    }

    @Test
    void aReturningUserGetsTheMessageOnlyOnceTheConnectionSettled() {
        Message message = stored("msg_1", 1);
        queue("bob", "room_1", "msg_1", 1);
        sockets.connect("bob", T0);
        var worker = worker(5, now::get, Duration.ofSeconds(30));

        now.set(T0.plusSeconds(1));
        worker.runOnce();
        assertThat(sockets.sent).isEmpty();
        assertThat(store.allPending()).singleElement().extracting(PendingDelivery::attempts).isEqualTo(0);
        assertThat(metrics.deliveryAttempts.get()).isZero();
        assertThat(metrics.deliveryFailures.get()).isZero();

        now.set(T0.plusSeconds(2));
        worker.runOnce();
        assertThat(sockets.sent).containsExactly(new Sent("bob", new ChatEvent.MessageCreated(message, false)));
        assertThat(sockets.minAges).containsOnly(Duration.ofSeconds(2));
        assertThat(store.allPending()).isEmpty();
        assertThat(metrics.deliveryAttempts.get()).isEqualTo(1);
    }

    @Test
    void aBacklogWaitsForAllOfAUsersDevicesTenSecondsAtMostThenGoesToThoseReady() {
        Message message = stored("msg_1", 1);
        Message second = stored("msg_2", 2);
        queue("bob", "room_1", "msg_1", 1);
        queue("bob", "room_1", "msg_2", 2);
        sockets.connect("bob", T0);
        sockets.oneNeverReady = true;
        var worker = worker(5, now::get, Duration.ofSeconds(30));

        now.set(T0.plusSeconds(3));
        worker.runOnce();
        now.set(T0.plusSeconds(12));
        worker.runOnce();
        assertThat(sockets.sent).as("waiting for the other device").isEmpty();
        assertThat(store.allPending()).hasSize(2).extracting(PendingDelivery::attempts).containsOnly(0);

        now.set(T0.plusSeconds(13));
        worker.runOnce();
        assertThat(sockets.sent).as("the whole backlog, not one entry per wait").containsExactly(
                new Sent("bob", new ChatEvent.MessageCreated(message, false)),
                new Sent("bob", new ChatEvent.MessageCreated(second, false)));
        assertThat(store.allPending()).isEmpty();

        Message later = stored("msg_3", 3);
        queue("bob", "room_1", "msg_3", 3);
        now.set(T0.plusSeconds(14));
        worker.runOnce();
        assertThat(sockets.sent).as("a new backlog waits afresh").hasSize(2);
        now.set(T0.plusSeconds(24));
        worker.runOnce();
        assertThat(sockets.sent).hasSize(3).last().isEqualTo(new Sent("bob", new ChatEvent.MessageCreated(later, false)));
    }

    @Test
    void aReturningUserIsNotKeptWaitingBehindTheEntriesOfUsersWhoStayAway() {
        for (int i = 1; i <= 2_500; i++) {
            queue("away" + (i % 40), "room_0", "msg_a" + i, i); // sorts before room_1
        }
        Message message = stored("msg_1", 1);
        queue("bob", "room_1", "msg_1", 1);
        sockets.connect("bob", T0);
        now.set(T0.plusSeconds(2));

        worker(5, now::get, Duration.ofSeconds(30)).runOnce();

        assertThat(sockets.sent).containsExactly(new Sent("bob", new ChatEvent.MessageCreated(message, false)));
        assertThat(store.allPending()).hasSize(2_500).allMatch(p -> p.attempts() == 1);
    }

    @Test
    void aQueueLongerThanAPassReadsIsReadOnWhereTheLastPassStoppedSoEveryEntryHasItsTurn() {
        for (int i = 1; i <= 100; i++) {
            queue("away" + (i % 7), "room_" + (char) ('a' + i % 5), "msg_a" + i, i);
        }
        OfflineRedeliveryWorker worker = worker(5, now::get, Duration.ofSeconds(30)).withPages(10, 3);

        for (int pass = 1; pass <= 4; pass++) {
            worker.runOnce(); // 30 entries, 30, 30, then the last 10
        }
        assertThat(store.allPending()).hasSize(100).allMatch(p -> p.attempts() == 1);

        worker.runOnce(); // from the beginning again
        assertThat(store.allPending()).filteredOn(p -> p.attempts() == 2).hasSize(30);
    }

    @Test
    void whileTheQueueIsLongerThanAPassReadsAnOnlineUsersWholeBacklogGoesOutFirst() {
        for (int i = 1; i <= 100; i++) {
            queue("away" + (i % 7), "room_0", "msg_a" + i, i); // sorts before room_1
        }
        List<Message> backlog = new java.util.ArrayList<>();
        for (int seq = 1; seq <= 25; seq++) {
            backlog.add(stored("msg_" + seq, seq));
            queue("bob", "room_1", "msg_" + seq, seq);
        }
        sockets.connect("bob", T0.minusSeconds(60));
        OfflineRedeliveryWorker worker = worker(5, now::get, Duration.ofSeconds(30)).withPages(10, 3);

        worker.runOnce();
        assertThat(sockets.sent).as("the first pass reads the first 30 entries").isEmpty();
        worker.runOnce();

        assertThat(sockets.sent).extracting(Sent::event)
                .containsExactlyElementsOf(backlog.stream().map(m -> new ChatEvent.MessageCreated(m, false)).toList());
        assertThat(store.allPending()).hasSize(100).noneMatch(p -> p.userId().equals("bob"));
    }

    @Test
    void anOnlineUsersBacklogGoesOnPastThePagesItsConnectionTookAndHasNotWrittenYet() {
        for (int i = 1; i <= 100; i++) {
            queue("away" + (i % 7), "room_0", "msg_a" + i, i);
        }
        for (int seq = 1; seq <= 25; seq++) {
            stored("msg_" + seq, seq);
            queue("bob", "room_1", "msg_" + seq, seq);
        }
        sockets.connect("bob", T0.minusSeconds(60));
        sockets.writesLater = true;
        OfflineRedeliveryWorker worker = worker(5, now::get, Duration.ofSeconds(30)).withPages(10, 3);

        worker.runOnce(); // reads the first 30 entries only, none of bob's
        worker.runOnce();

        assertThat(sockets.sent).as("all three pages of bob's backlog, though none of it is written yet")
                .hasSize(25);
        assertThat(sockets.sent).extracting(s -> ((ChatEvent.MessageCreated) s.event()).message().seq())
                .isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aUserListedOnlineButGoneCountsOneAttemptAPassThoughTheReadingComesToTheirEntriesToo() {
        for (int i = 1; i <= 100; i++) {
            queue("away" + (i % 7), "room_0", "msg_a" + i, i);
        }
        for (int seq = 1; seq <= 5; seq++) {
            queue("bob", "room_z", "msg_" + seq, seq); // read last
        }
        OfflineRedeliveryWorker worker = worker(50, now::get, Duration.ofSeconds(30)).withPages(10, 3);
        sockets.goneAfterListing = "bob";

        for (int pass = 1; pass <= 4; pass++) {
            worker.runOnce(); // the backlog step from the second pass on; the fourth also reads bob's entries
        }

        assertThat(store.allPending()).filteredOn(p -> p.userId().equals("bob")).hasSize(5)
                .allMatch(p -> p.attempts() == 3);
    }

    @Test
    void queuedMessagesGoOutInSeqOrder() {
        Message first = stored("msg_1", 1);
        Message second = stored("msg_2", 2);
        queue("bob", "room_1", "msg_2", 2);
        queue("bob", "room_1", "msg_1", 1);
        sockets.connect("bob", T0.minusSeconds(60));

        worker(5, now::get, Duration.ofSeconds(30)).runOnce();

        assertThat(sockets.sent).extracting(Sent::event).containsExactly(
                new ChatEvent.MessageCreated(first, false), new ChatEvent.MessageCreated(second, false));
        assertThat(store.allPending()).isEmpty();
        assertThat(metrics.deliveryAttempts.get()).isEqualTo(2);
    }

    @Test
    void anOfflineUserCountsAttemptsUntilTheEntryIsADeadLetter() {
        stored("msg_1", 1);
        queue("carol", "room_1", "msg_1", 1);
        queue("bob", "room_1", "msg_1", 1);
        sockets.connect("bob", T0.minusSeconds(60));
        var worker = worker(3, now::get, Duration.ofSeconds(30));

        worker.runOnce();
        worker.runOnce();
        assertThat(store.allPending()).singleElement().satisfies(p -> {
            assertThat(p.userId()).isEqualTo("carol");
            assertThat(p.attempts()).isEqualTo(2);
        });
        assertThat(metrics.deliveryFailures.get()).isEqualTo(2);
        assertThat(metrics.deliveryAttempts.get()).isEqualTo(3);
        assertThat(metrics.deadLetters.get()).isZero();

        now.set(T0.plusSeconds(90));
        worker.runOnce();

        assertThat(store.allPending()).isEmpty();
        assertThat(store.deadLetters(10)).singleElement().satisfies(dead -> {
            assertThat(dead.kind()).isEqualTo("offline");
            assertThat(dead.userId()).isEqualTo("carol");
            assertThat(dead.attempts()).isEqualTo(3);
            assertThat(dead.lastAttemptAt()).isEqualTo(T0.plusSeconds(90));
        });
        assertThat(metrics.deliveryFailures.get()).isEqualTo(3);
        assertThat(metrics.deadLetters.get()).isEqualTo(1);
        assertThat(sockets.sent).extracting(Sent::userId).containsExactly("bob");
        assertThat(metrics.deliveryAttempts.get()).isEqualTo(4);
    }

    @Test
    void entriesOfAQueueLongerThanAPassReadsAreDeadLettersOnceTheyWaitedAsLongAsTheAttemptsTake() {
        for (int i = 1; i <= 100; i++) {
            queue("away" + (i % 7), "room_" + (char) ('a' + i % 5), "msg_a" + i, i);
        }
        OfflineRedeliveryWorker worker = worker(3, now::get, Duration.ofSeconds(30)).withPages(10, 3);
        passes(worker, T0, 1, 2);
        assertThat(store.deadLetters(1_000)).isEmpty();

        passes(worker, T0, 3, 6); // from 90 s on, each entry a pass reads has waited three intervals

        assertThat(store.allPending()).as("each read once or twice, not three times").isEmpty();
        assertThat(store.deadLetters(1_000)).hasSize(100).allSatisfy(dead -> assertThat(dead.attempts()).isEqualTo(3));
        assertThat(metrics.deadLetters.get()).isEqualTo(100);
    }

    @Test
    void aBacklogThatWaitedWhileItsUserWasOnlineIsGivenAsManyPassesAsAnyOtherOnceTheyGo() {
        for (int seq = 1; seq <= 3; seq++) {
            stored("msg_" + seq, seq);
            queue("bob", "room_1", "msg_" + seq, seq); // messages of T0
        }
        sockets.connect("bob", T0.plusSeconds(3_600)); // a device that never settles: the backlog waits
        OfflineRedeliveryWorker worker = worker(3, now::get, Duration.ofSeconds(30));
        passes(worker, T0, 1, 10);
        assertThat(store.allPending()).hasSize(3).allSatisfy(p -> assertThat(p.attempts()).isZero());

        sockets.disconnect("bob", T0.plusSeconds(305));
        now.set(T0.plusSeconds(330));
        worker.runOnce();
        now.set(T0.plusSeconds(360));
        worker.runOnce();
        assertThat(store.deadLetters(10)).as("away for two passes of three").isEmpty();
        assertThat(store.allPending()).hasSize(3).allSatisfy(p -> assertThat(p.attempts()).isEqualTo(2));

        now.set(T0.plusSeconds(390));
        worker.runOnce();
        assertThat(store.allPending()).as("three attempts, but away 85 s of 90").hasSize(3);
        now.set(T0.plusSeconds(420));
        worker.runOnce();
        assertThat(store.allPending()).isEmpty();
        assertThat(store.deadLetters(10)).hasSize(3).allSatisfy(dead -> assertThat(dead.attempts()).isEqualTo(4));
    }

    @Test
    void attemptsCountedInAnEarlierAbsenceDoNotMakeDeadLettersSoonerAfterTheUserWasOnline() {
        stored("msg_1", 1);
        stored("msg_2", 2);
        queue("bob", "room_1", "msg_1", 1);
        queue("bob", "room_1", "msg_2", 2);
        OfflineRedeliveryWorker worker = worker(5, now::get, Duration.ofSeconds(30));
        passes(worker, T0, 1, 4);
        assertThat(store.allPending()).hasSize(2).allSatisfy(p -> assertThat(p.attempts()).isEqualTo(4));
        sockets.connect("bob", T0.plusSeconds(3_600)); // a device that never settles: the backlog waits
        passes(worker, T0, 5, 6);

        sockets.disconnect("bob", T0.plusSeconds(185));
        passes(worker, T0, 7, 11);
        assertThat(store.deadLetters(10)).as("away 145 s, less than five intervals").isEmpty();
        assertThat(store.allPending()).hasSize(2).allSatisfy(p -> assertThat(p.attempts()).isEqualTo(9));

        now.set(T0.plusSeconds(360));
        worker.runOnce();
        assertThat(store.allPending()).isEmpty();
        assertThat(store.deadLetters(10)).hasSize(2);
    }

    @Test
    void afterARestartAttemptsCountedBeforeItDoNotMakeDeadLettersBeforeFiveIntervalsHavePassed() {
        stored("msg_1", 1);
        queue("bob", "room_1", "msg_1", 1);
        OfflineRedeliveryWorker before = worker(5, now::get, Duration.ofSeconds(30));
        passes(before, T0, 1, 4);
        assertThat(store.allPending()).singleElement().satisfies(p -> assertThat(p.attempts()).isEqualTo(4));

        now.set(T0.plusSeconds(600)); // restarted: whether bob was connected just before, no one knows
        OfflineRedeliveryWorker after = worker(5, now::get, Duration.ofSeconds(30));
        passes(after, T0.plusSeconds(600), 1, 4);
        assertThat(store.deadLetters(10)).as("four passes after the start").isEmpty();
        assertThat(store.allPending()).singleElement().satisfies(p -> assertThat(p.attempts()).isEqualTo(8));

        passes(after, T0.plusSeconds(600), 5, 5);
        assertThat(store.allPending()).isEmpty();
        assertThat(store.deadLetters(10)).singleElement().satisfies(dead -> assertThat(dead.attempts()).isEqualTo(9));
    }

    @Test
    void entriesOfALongQueueWhoseUserLeftLateWaitTheirIntervalsFromTheLeaving() {
        for (int i = 1; i <= 100; i++) {
            queue("away" + (i % 7), "room_" + (char) ('a' + i % 5), "msg_a" + i, i); // messages of T0
        }
        sockets.disconnect("away3", T0.plusSeconds(200)); // away3 was online until then
        OfflineRedeliveryWorker worker = worker(3, now::get, Duration.ofSeconds(30)).withPages(10, 4);
        passes(worker, T0, 7, 9); // the others' entries are dead letters as soon as a pass reads them
        assertThat(store.allPending()).as("away3's: they wait until 290 s").isNotEmpty()
                .allSatisfy(p -> assertThat(p.userId()).isEqualTo("away3"));
        assertThat(store.deadLetters(1_000)).noneSatisfy(dead -> assertThat(dead.userId()).isEqualTo("away3"));

        passes(worker, T0, 10, 14);
        assertThat(store.allPending()).isEmpty();
        assertThat(store.deadLetters(1_000)).hasSize(100);
    }

    @Test
    void theTimeBeforeTheWorkerWasMadeDoesNotCountTowardsADeadLetter() {
        stored("msg_1", 1);
        queue("carol", "room_1", "msg_1", 1); // at T0
        now.set(T0.plusSeconds(600)); // the server was down meanwhile
        var worker = worker(3, now::get, Duration.ofSeconds(30));

        passes(worker, T0.plusSeconds(600), 1, 2);
        assertThat(store.allPending()).singleElement().satisfies(p -> assertThat(p.attempts()).isEqualTo(2));

        passes(worker, T0.plusSeconds(600), 3, 3);
        assertThat(store.allPending()).isEmpty();
        assertThat(store.deadLetters(10)).singleElement().satisfies(dead -> assertThat(dead.attempts()).isEqualTo(3));
    }

    @Test
    void anEntryWhoseMessageWasDeletedIsDropped() {
        queue("bob", "room_1", "msg_gone", 4);
        sockets.connect("bob", T0.minusSeconds(60));

        worker(5, now::get, Duration.ofSeconds(30)).runOnce();

        assertThat(store.allPending()).isEmpty();
        assertThat(sockets.sent).isEmpty();
        assertThat(metrics.deliveryAttempts.get()).isZero();
    }

    @Test
    void aMemberWhoLeavesGetsNothingMoreOfTheRoomFromThePageReadBefore() {
        Message first = stored("msg_1", 1);
        stored("msg_2", 2);
        stored("msg_3", 3);
        for (int seq = 1; seq <= 3; seq++) {
            queue("bob", "room_1", "msg_" + seq, seq);
        }
        sockets.connect("bob", T0.minusSeconds(60));
        messages.beforeFind = messageId -> {
            if (messageId.equals("msg_2")) { // bob is removed after his first entry went out: so are his entries
                rooms.removeMember("room_1", "bob");
                store.clearUpTo("bob", "room_1", Long.MAX_VALUE);
            }
        };

        worker(5, now::get, Duration.ofSeconds(30)).runOnce();

        assertThat(sockets.sent).containsExactly(new Sent("bob", new ChatEvent.MessageCreated(first, false)));
        assertThat(store.allPending()).isEmpty();
        assertThat(metrics.deliveryAttempts.get()).isEqualTo(1);
    }

    @Test
    void aRemovalAskedWhileAnEntryIsWrittenIsDoneAfterIt() throws Exception {
        stored("msg_1", 1);
        queue("bob", "room_1", "msg_1", 1);
        sockets.connect("bob", T0.minusSeconds(60));
        var removal = new CompletableFuture<Boolean>();
        sockets.whilePublishing = () -> {
            Thread.ofPlatform().start(() -> removal.complete(rooms.removeMember("room_1", "bob")));
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(removal).as("the removal waits for the entry being written").isNotDone();
        };

        worker(5, now::get, Duration.ofSeconds(30)).runOnce();

        assertThat(removal.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(sockets.sent).extracting(Sent::userId).containsExactly("bob");
    }

    @Test
    void aMessageQueuedForSeveralUsersIsLoadedOnce() {
        stored("msg_1", 1);
        for (String user : List.of("bob", "dave", "erin")) {
            queue(user, "room_1", "msg_1", 1);
            sockets.connect(user, T0.minusSeconds(60));
        }

        worker(5, now::get, Duration.ofSeconds(30)).runOnce();

        assertThat(sockets.sent).extracting(Sent::userId).containsExactlyInAnyOrder("bob", "dave", "erin");
        assertThat(messages.finds.get()).isEqualTo(1);
    }

    @Test
    void startedWorkerRunsEveryInterval() throws Exception {
        stored("msg_1", 1);
        queue("bob", "room_1", "msg_1", 1);
        var worker = worker(1_000, TimeSource.system(), Duration.ofMillis(50));
        worker.start();
        try {
            sockets.connect("bob", T0.minusSeconds(60));
            assertThat(sockets.published.poll(5, TimeUnit.SECONDS)).isEqualTo("bob");
        } finally {
            worker.stop();
        }
        assertThat(store.allPending()).isEmpty();
    }

    /** Runs passes {@code first} to {@code last} of {@code worker}, pass n at n × 30 s after {@code start}. */
    private void passes(OfflineRedeliveryWorker worker, Instant start, int first, int last) {
        for (int pass = first; pass <= last; pass++) {
            now.set(start.plusSeconds(30L * pass));
            worker.runOnce();
        }
    }

    /** One event written to a user. */
    private record Sent(String userId, ChatEvent event) {
    }

    /** Open connections (one per user, opened at a given time) and the events written to them. */
    private static final class SocketsDouble implements ConnectionDirectory, EventPublisher {
        private final TimeSource clock;
        private final Map<String, Instant> openedAt = new ConcurrentHashMap<>();
        private final Map<String, Instant> closedAt = new ConcurrentHashMap<>();
        final List<Sent> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Duration> minAges = new java.util.concurrent.CopyOnWriteArrayList<>();
        final BlockingQueue<String> published = new LinkedBlockingQueue<>();
        /** A device of the user that never gets ready (it reconnects in a loop): all of them are never ready. */
        volatile boolean oneNeverReady;
        /** Run as an event is written, on the worker's thread. */
        volatile Runnable whilePublishing = () -> { };
        /** A user listed online who is gone by the time the worker asks about them. */
        volatile String goneAfterListing = "";
        /** Re-deliveries are taken into a queue and written when a test says so, not at once. */
        volatile boolean writesLater;
        final List<Queued> queued = new java.util.concurrent.CopyOnWriteArrayList<>();

        /** A re-delivery in a connection's queue: written, or its connection ended, when a test says so. */
        static final class Queued implements Redelivery {
            volatile boolean written;
            volatile boolean ended;

            @Override
            public int accepted() {
                return 1;
            }

            @Override
            public boolean written() {
                return written;
            }

            @Override
            public boolean settled() {
                return written || ended;
            }
        }

        @Override
        public Redelivery redeliver(String userId, ChatEvent event, Duration minAge, boolean waitForAll) {
            int accepted = publishToSettled(userId, event, minAge, waitForAll);
            if (!writesLater || accepted == 0) {
                return Redelivery.accepted(accepted);
            }
            Queued taken = new Queued();
            queued.add(taken);
            return taken;
        }

        SocketsDouble(TimeSource clock) {
            this.clock = clock;
        }

        void connect(String userId, Instant at) {
            openedAt.put(userId, at);
        }

        @Override
        public boolean isOnline(String userId) {
            return openedAt.containsKey(userId);
        }

        @Override
        public Set<String> onlineUsers() {
            Set<String> users = new java.util.HashSet<>(openedAt.keySet());
            users.add(goneAfterListing);
            return users;
        }

        /** The user's connection closed at {@code at}. */
        void disconnect(String userId, Instant at) {
            openedAt.remove(userId);
            closedAt.put(userId, at);
        }

        @Override
        public Optional<Instant> lastConnected(String userId) {
            return isOnline(userId) ? Optional.of(clock.now()) : Optional.ofNullable(closedAt.get(userId));
        }

        @Override
        public void forgetClosedBefore(Instant cutoff) {
            closedAt.values().removeIf(closed -> closed.isBefore(cutoff));
        }

        @Override
        public void publish(Collection<String> userIds, ChatEvent event) {
            throw new UnsupportedOperationException("the worker only writes to settled connections");
        }

        @Override
        public int publishToSettled(String userId, ChatEvent event, Duration minAge, boolean waitForAll) {
            minAges.add(minAge);
            if (waitForAll && oneNeverReady) {
                return 0;
            }
            Instant opened = openedAt.get(userId);
            if (opened == null || Duration.between(opened, clock.now()).compareTo(minAge) < 0) {
                return 0;
            }
            whilePublishing.run();
            sent.add(new Sent(userId, event));
            published.add(userId);
            return 1;
        }
    }

    /** Messages by id; only lookups are used by the worker. */
    private static final class MessagesDouble implements MessageStore {
        final Map<String, Message> byId = new ConcurrentHashMap<>();
        final AtomicInteger finds = new AtomicInteger();
        /** Run as a lookup starts, on the worker's thread. */
        volatile Consumer<String> beforeFind = messageId -> { };

        @Override
        public Optional<Message> find(String roomId, String messageId) {
            beforeFind.accept(messageId);
            finds.incrementAndGet();
            return Optional.ofNullable(byId.get(messageId)).filter(m -> m.roomId().equals(roomId));
        }

        @Override
        public Appended append(MessageDraft draft, DeliveryPlan plan) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Message> findByClientId(String roomId, String senderId, String clientMsgId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Message> after(String roomId, long afterSeq, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Message> window(String roomId, long uptoSeq, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Message> edit(String roomId, String messageId, String content, Instant editedAt) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean delete(String roomId, String messageId) {
            throw new UnsupportedOperationException();
        }
    }
}
