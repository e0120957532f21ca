package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.ErrorCode;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer thread: writes queued together share one transaction, fail alone, and finish before close. */
class GroupCommitTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private SqliteMessageStore messages;
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch laterRelease = new CountDownLatch(1);

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(new SqliteSettings(dir.resolve("chat.db"), "FULL"));
        messages = new SqliteMessageStore(db);
        new SqliteRoomStore(db).createGroup(new Room("room_a", RoomType.GROUP, null, null, 0, NOW,
                Handoff.initial(NOW)), List.of(new Member("room_a", "alice", MemberRole.MEMBER, NOW)));
    }

    @AfterEach
    void close() {
        release.countDown();
        laterRelease.countDown();
        callers.close();
        db.close();
    }

    @Test
    void queuedAppendsCommitInOneTransaction() throws Exception {
        holdWriter();
        long before = db.transactions();

        List<Future<Message>> appends = submitAppends(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queuedWrites() == 200);
        release.countDown();

        List<Long> seqs = new ArrayList<>();
        for (Future<Message> append : appends) {
            seqs.add(append.get(20, TimeUnit.SECONDS).seq());
        }
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 200).boxed().toList());
        assertThat(db.transactions() - before).as("the held transaction plus one batch").isEqualTo(2);
    }

    @Test
    void aBatchHoldsAtMostTheCap() throws Exception {
        holdWriter();
        long before = db.transactions();

        List<Future<Message>> appends = submitAppends(600);
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queuedWrites() == 600);
        release.countDown();
        for (Future<Message> append : appends) {
            append.get(20, TimeUnit.SECONDS);
        }

        long batches = (600 + GroupCommitWriter.MAX_BATCH - 1) / GroupCommitWriter.MAX_BATCH;
        assertThat(db.transactions() - before).isEqualTo(1 + batches);
    }

    @Test
    void aFailingWriteFailsAloneAndConsumesNoSeq() throws Exception {
        messages.append(draft("msg_taken", "room_a"), DeliveryPlan.NONE);
        holdWriter();
        long before = db.transactions();

        List<Future<Message>> good = submitAppends(5);
        Future<Message> badPlan = call(() -> messages.append(draft(Ids.message(), "room_a"), stored -> {
            throw new IllegalStateException("plan failed");
        }).message());
        Future<Message> missingRoom = call(() -> messages.append(draft(Ids.message(), "room_missing"),
                DeliveryPlan.NONE).message());
        Future<Message> takenId = call(() -> messages.append(draft("msg_taken", "room_a"), DeliveryPlan.NONE)
                .message());
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queuedWrites() == 8);
        release.countDown();

        List<Long> seqs = new ArrayList<>();
        for (Future<Message> append : good) {
            seqs.add(append.get(20, TimeUnit.SECONDS).seq());
        }
        assertThat(seqs).containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L);
        assertThat(failure(badPlan)).isInstanceOf(IllegalStateException.class).hasMessage("plan failed");
        assertThat(failure(missingRoom)).isInstanceOfSatisfying(ChatException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(failure(takenId)).isInstanceOf(StoreUnavailableException.class);
        assertThat(db.transactions() - before).isEqualTo(2);
        assertThat(messages.after("room_a", 0, 100)).extracting(Message::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void aBatchInWhichNothingFailsRunsEachWriteOnce() throws Exception {
        holdWriter();
        AtomicInteger runs = new AtomicInteger();
        List<Future<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            writes.add(call(() -> db.write(h -> {
                runs.incrementAndGet();
                return h.createUpdate("UPDATE rooms SET name = coalesce(name, '') || 'x' WHERE id = 'room_a'")
                        .execute();
            })));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queuedWrites() == 3);
        release.countDown();

        for (Future<Integer> write : writes) {
            assertThat(write.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(runs).hasValue(3);
        assertThat(roomColumn("name")).isEqualTo("xxx");
    }

    @Test
    void aBatchWithAFailingWriteRunsAgainIsolatedAndKeepsEveryOtherChangeOnce() throws Exception {
        holdWriter();
        AtomicInteger goodRuns = new AtomicInteger();
        AtomicInteger failingRuns = new AtomicInteger();
        Future<Integer> good = call(() -> db.write(h -> {
            goodRuns.incrementAndGet();
            return h.createUpdate("UPDATE rooms SET name = coalesce(name, '') || 'x' WHERE id = 'room_a'")
                    .execute();
        }));
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queuedWrites() == 1);
        Future<Integer> failing = call(() -> db.write(h -> {
            failingRuns.incrementAndGet();
            h.createUpdate("UPDATE rooms SET metadata = 'half done' WHERE id = 'room_a'").execute();
            throw new IllegalStateException("failed after a change");
        }));
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queuedWrites() == 2);
        long before = db.transactions();
        release.countDown();

        assertThat(good.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(failure(failing)).isInstanceOf(IllegalStateException.class).hasMessage("failed after a change");
        assertThat(goodRuns).as("once in the transaction rolled back, once in the one committed").hasValue(2);
        assertThat(failingRuns).hasValue(2);
        assertThat(roomColumn("name")).isEqualTo("x");
        assertThat(roomColumn("metadata")).isNull();
        assertThat(db.transactions() - before).as("the held transaction plus the isolated batch").isEqualTo(2);
    }

    private String roomColumn(String column) {
        return db.read(h -> h.createQuery("SELECT " + column + " FROM rooms WHERE id = 'room_a'")
                .mapTo(String.class).findOne().orElse(null));
    }

    @Test
    void noWriteIsAcknowledgedBeforeItsTransactionCommits() throws Exception {
        holdWriter();
        Future<Message> first = call(() -> messages.append(draft(Ids.message(), "room_a"), DeliveryPlan.NONE)
                .message());
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queuedWrites() == 1);
        CountDownLatch laterEntered = new CountDownLatch(1);
        Future<Object> later = call(() -> db.write(h -> {
            laterEntered.countDown();
            awaitQuietly(laterRelease);
            return null;
        }));
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queuedWrites() == 2);

        release.countDown();
        assertThat(laterEntered.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(first).as("in the same, still open transaction").isNotDone();

        laterRelease.countDown();
        assertThat(first.get(20, TimeUnit.SECONDS).seq()).isEqualTo(1);
        later.get(20, TimeUnit.SECONDS);
    }

    @Test
    void closeFinishesQueuedWritesAndRefusesNewOnes() throws Exception {
        holdWriter();
        List<Future<Message>> appends = submitAppends(100);
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queuedWrites() == 100);

        Future<?> closing = callers.submit(db::close);
        await().atMost(Duration.ofSeconds(20)).until(() -> db.queuedWrites() == 101);
        assertThatThrownBy(() -> messages.append(draft(Ids.message(), "room_a"), DeliveryPlan.NONE))
                .isInstanceOf(StoreUnavailableException.class);
        release.countDown();
        closing.get(20, TimeUnit.SECONDS);

        for (Future<Message> append : appends) {
            assertThat(append.get(20, TimeUnit.SECONDS).seq()).isBetween(1L, 100L);
        }
        try (SqliteDatabase reopened = SqliteDatabase.open(new SqliteSettings(db.file(), "FULL"))) {
            assertThat(new SqliteMessageStore(reopened).after("room_a", 0, 1000)).hasSize(100);
        }
    }

    /** Parks the writer inside a transaction until {@link #release} opens, so that writes queue up behind it. */
    private void holdWriter() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        callers.submit(() -> db.write(h -> {
            entered.countDown();
            awaitQuietly(release);
            return null;
        }));
        assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Future<Message>> submitAppends(int count) {
        List<Future<Message>> appends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            appends.add(call(() -> messages.append(draft(Ids.message(), "room_a"), DeliveryPlan.NONE).message()));
        }
        return appends;
    }

    private <T> Future<T> call(Callable<T> task) {
        return callers.submit(task);
    }

    private static Throwable failure(Future<?> future) {
        try {
            future.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the write neither failed nor finished", e);
        }
        throw new AssertionError("the write did not fail");
    }

    private static MessageDraft draft(String id, String roomId) {
        return new MessageDraft(id, roomId, "alice", "hello", null, null, NOW);
    }
}
