package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Message;
import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.SocketContext;
import io.helidon.websocket.WsSession;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutgoingQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A queue of {@code bound} frames whose writer is held writing its first one, "in flight". */
    private static OutgoingQueue writingItsFirstFrame(RecordingSession session, int bound) {
        session.block();
        OutgoingQueue out = new OutgoingQueue(session, bound, () -> { }, unsent -> { });
        assertThat(out.offer(List.of("in flight"), List.of())).isTrue();
        await().atMost(WAIT).until(() -> session.blockedWrites.get() == 1);
        return out;
    }

    private static ChatEvent.StreamDelta delta(String messageId, String text, int offset) {
        return new ChatEvent.StreamDelta("r1", messageId, text, offset);
    }

    private static boolean offerDelta(OutgoingQueue out, ChatEvent.StreamDelta delta) {
        return out.offerDelta(delta, io.chatapi.adapters.ws.json.EventFrames.event(delta));
    }

    @Test
    void framesOfferedWithAWrittenActionRunItOnceWrittenNotOnceQueued() {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = writingItsFirstFrame(session, 4);
        AtomicInteger written = new AtomicInteger();
        assertThat(out.offer(List.of("owed"), List.of(), written::incrementAndGet)).isTrue();
        assertThat(written).as("queued behind a write that does not end").hasValue(0);

        session.release();
        await().atMost(WAIT).until(() -> session.sent.size() == 2 && !out.writerRunning());
        assertThat(written).hasValue(1);
    }

    @Test
    void framesDroppedUnwrittenNeverRunTheirWrittenAction() {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = writingItsFirstFrame(session, 4);
        AtomicInteger written = new AtomicInteger();
        assertThat(out.offer(List.of("owed"), List.of(), written::incrementAndGet)).isTrue();
        out.stop();
        session.release();
        await().atMost(WAIT).until(() -> !out.writerRunning());
        assertThat(written).hasValue(0);
    }

    @Test
    void aBurstOfDeltasWhileTheWriterIsBusyGoesOutAsOneDeltaWithAllTheirTextAtTheFirstOffset() throws Exception {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = writingItsFirstFrame(session, 4);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            String piece = "t" + i + " ";
            assertThat(offerDelta(out, delta("m1", piece, expected.length()))).as("delta %d", i).isTrue();
            expected.append(piece);
        }
        assertThat(out.queued()).isEqualTo(1);
        assertThat(out.queuedChars()).isGreaterThan(expected.length());

        session.release();
        await().atMost(WAIT).until(() -> session.sent.size() == 2 && !out.writerRunning());
        var frame = new com.fasterxml.jackson.databind.ObjectMapper().readTree(session.sent.get(1));
        assertThat(frame.path("type").asText()).isEqualTo("message.stream.delta");
        assertThat(frame.path("message_id").asText()).isEqualTo("m1");
        assertThat(frame.path("room_id").asText()).isEqualTo("r1");
        assertThat(frame.path("offset").asInt()).isZero();
        assertThat(frame.path("delta").asText()).isEqualTo(expected.toString());
        assertThat(out.queued()).isZero();
        assertThat(out.queuedChars()).isZero();
    }

    @Test
    void onlyTheNextDeltaOfTheReplyQueuedLastIsAppendedAndAFrameTakenIsNeverChanged() {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = writingItsFirstFrame(session, 16);
        ChatEvent.StreamDelta first = delta("m1", "a", 0);
        String published = io.chatapi.adapters.ws.json.EventFrames.event(first);
        assertThat(out.offerDelta(first, published)).isTrue();
        assertThat(offerDelta(out, delta("m2", "x", 0))).isTrue(); // another reply: a place of its own
        assertThat(offerDelta(out, delta("m1", "b", 1))).isTrue(); // m1 is no longer the last item
        assertThat(offerDelta(out, delta("m1", "d", 3))).isTrue(); // not where the last one ends
        assertThat(out.offer(List.of("frame"), List.of())).isTrue();
        assertThat(offerDelta(out, delta("m1", "e", 4))).isTrue(); // a frame came between
        assertThat(offerDelta(out, delta("m1", "f", 5))).isTrue(); // appended to "e"
        assertThat(out.queued()).isEqualTo(6);

        session.release();
        await().atMost(WAIT).until(() -> session.sent.size() == 7 && !out.writerRunning());
        assertThat(session.sent.get(1)).isSameAs(published);
        assertThat(session.sent.subList(2, 7)).containsExactly(
                io.chatapi.adapters.ws.json.EventFrames.event(delta("m2", "x", 0)),
                io.chatapi.adapters.ws.json.EventFrames.event(delta("m1", "b", 1)),
                io.chatapi.adapters.ws.json.EventFrames.event(delta("m1", "d", 3)),
                "frame",
                io.chatapi.adapters.ws.json.EventFrames.event(delta("m1", "ef", 4)));

        // the queue is idle again: the next delta of m1 starts a new frame, written on its own
        assertThat(offerDelta(out, delta("m1", "g", 6))).isTrue();
        await().atMost(WAIT).until(() -> session.sent.size() == 8 && !out.writerRunning());
        assertThat(session.sent.get(7)).isEqualTo(io.chatapi.adapters.ws.json.EventFrames.event(delta("m1", "g", 6)));
    }

    @Test
    void appendedDeltasCountAgainstTheTextBound() {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = writingItsFirstFrame(session, 16);
        String million = "x".repeat(1_000_000);
        int offset = 0;
        int accepted = 0;
        while (offerDelta(out, delta("m1", million, offset))) {
            offset += million.length();
            accepted++;
        }
        assertThat(accepted).isEqualTo((int) (OutgoingQueue.MAX_QUEUED_CHARS / 1_000_000));
        assertThat(out.queued()).isEqualTo(1);
        session.release();
    }

    @Test
    void queuesThatHoldTextAlreadyAreRefusedMoreOnceTheProcessHoldsItsBoundButAnEmptyOneNever() {
        QueuedText text = new QueuedText(100);
        RecordingSession first = new RecordingSession();
        RecordingSession second = new RecordingSession();
        first.block();
        second.block();
        OutgoingQueue a = new OutgoingQueue(first, 16, () -> { }, unsent -> { }, text);
        OutgoingQueue b = new OutgoingQueue(second, 16, () -> { }, unsent -> { }, text);
        assertThat(a.offer(List.of("in flight"), List.of())).isTrue();
        assertThat(b.offer(List.of("in flight"), List.of())).isTrue();
        await().atMost(WAIT).until(() -> first.blockedWrites.get() == 1 && second.blockedWrites.get() == 1);

        assertThat(a.offer(List.of("x".repeat(60)), List.of())).isTrue();
        assertThat(a.offer(List.of("x".repeat(30)), List.of())).isTrue();
        assertThat(a.offer(List.of("x".repeat(20)), List.of())).as("110 of 100 in the process").isFalse();
        assertThat(offerDelta(a, delta("m1", "y".repeat(20), 0))).isFalse();
        assertThat(b.offer(List.of("z".repeat(50)), List.of())).as("an empty queue takes its frame").isTrue();
        assertThat(b.offer(List.of("z"), List.of())).isFalse();
        assertThat(text.queued()).isEqualTo(140);

        first.release();
        await().atMost(WAIT).until(() -> !a.writerRunning());
        assertThat(text.queued()).isEqualTo(50);
        assertThat(b.offer(List.of("z".repeat(40)), List.of())).isTrue();
        b.stop();
        assertThat(text.queued()).as("a stopped queue holds nothing").isZero();
        second.release();
    }

    @Test
    void anIdleQueueHasNoWriterAndOneBurstStartsOneThatEnds() {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = new OutgoingQueue(session, 16, () -> { }, unsent -> { });
        assertThat(out.writerRunning()).isFalse();

        assertThat(out.offer(List.of("a", "b"), List.of())).isTrue();
        assertThat(out.offer(List.of("c"), List.of())).isTrue();

        await().atMost(WAIT).until(() -> !out.writerRunning());
        assertThat(session.sent).containsExactly("a", "b", "c");
        out.ping();
        await().atMost(WAIT).until(() -> !out.writerRunning());
        assertThat(session.sent).containsExactly("a", "b", "c", "ping");
        assertThat(session.writers).isNotEmpty().allSatisfy(w -> assertThat(w.isVirtual()).isTrue());
        await().atMost(WAIT).until(() -> session.writers.stream().noneMatch(Thread::isAlive));
    }

    @Test
    void framesFromManyPublishersAllArriveInTheirOrderThroughOneWriterAtATime() throws Exception {
        RecordingSession session = new RecordingSession();
        AtomicInteger failures = new AtomicInteger();
        OutgoingQueue out = new OutgoingQueue(session, 100_000, failures::incrementAndGet, unsent -> { });
        int publishers = 4;
        int each = 5_000;
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            String name = "p" + p;
            Thread t = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    assertThat(out.offer(List.of(name + ":" + i), List.of())).isTrue();
                    if (i % 500 == 0) {
                        // let the writer run dry now and then, so writers end and new ones start
                        Thread.yield();
                    }
                }
            });
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(WAIT.toMillis());
        }

        await().atMost(WAIT).until(() -> session.sent.size() == publishers * each && !out.writerRunning());
        assertThat(session.maxConcurrentWriters.get()).isEqualTo(1);
        assertThat(failures.get()).isZero();
        Map<String, Integer> next = new ConcurrentHashMap<>();
        for (String frame : session.sent) {
            String[] parts = frame.split(":");
            int expected = next.getOrDefault(parts[0], 0);
            assertThat(Integer.parseInt(parts[1])).as(frame).isEqualTo(expected);
            next.put(parts[0], expected + 1);
        }
        assertThat(next).hasSize(publishers).allSatisfy((name, count) -> assertThat(count).isEqualTo(each));
    }

    @Test
    void theQueueAlsoRefusesTextBeyondItsBoundButTakesAnyBatchWhenEmpty() throws Exception {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = writingItsFirstFrame(session, 1_024);
        String replay = "x".repeat(3 << 20); // a resume replay near its million-character cap, three times over

        assertThat(out.offer(List.of("x".repeat((int) OutgoingQueue.MAX_QUEUED_CHARS + 1)), List.of()))
                .as("an empty queue takes a batch of any size").isTrue();
        assertThat(out.offer(List.of("small"), List.of())).as("over the text bound").isFalse();
        assertThat(out.queued()).isEqualTo(1);

        session.release();
        await().atMost(WAIT).until(() -> !out.writerRunning());
        session.block();
        assertThat(out.offer(List.of("in flight again"), List.of())).isTrue();
        await().atMost(WAIT).until(() -> session.blockedWrites.get() == 1);
        assertThat(out.offer(List.of(replay), List.of())).isTrue();
        assertThat(out.offer(List.of(replay, "done"), List.of())).isTrue();
        assertThat(out.offer(List.of(replay), List.of())).as("9 M characters would be queued").isFalse();
        assertThat(out.offer(List.of("small"), List.of())).as("a small frame still fits").isTrue();
        session.release();
        assertThat(out.awaitWriter(System.nanoTime() + WAIT.toNanos())).isTrue();
    }

    @Test
    void aFullQueueRefusesDataButStillTakesTheFrameBeforeAClose() throws Exception {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = writingItsFirstFrame(session, 3);

        assertThat(out.offer(List.of("1"), List.of())).isTrue();
        assertThat(out.offer(List.of("2"), List.of())).isTrue();
        assertThat(out.offer(List.of("3"), List.of())).isTrue();
        assertThat(out.offer(List.of("4"), List.of())).as("over the bound").isFalse();
        out.offerPong(new byte[] {1});
        AtomicReference<String> last = new AtomicReference<>("last, as queued");
        out.force(last::get);
        out.close(1012, "bye");
        out.offer(List.of("after close"), List.of());
        last.set("last, as written");

        session.release();
        assertThat(out.awaitWriter(System.nanoTime() + WAIT.toNanos())).isTrue();
        assertThat(session.sent).as("a forced frame's text is made when it is written")
                .containsExactly("in flight", "pong 1", "1", "2", "3", "last, as written", "close 1012");
    }

    @Test
    void aPingAndAPongDueGoAheadOfTheDataWaitingRightAfterTheCurrentWrite() throws Exception {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = writingItsFirstFrame(session, 100);
        for (int i = 1; i <= 50; i++) {
            assertThat(out.offer(List.of("data " + i), List.of())).isTrue();
        }
        out.ping();
        out.offerPong(new byte[] {4});

        session.release();
        assertThat(out.awaitWriter(System.nanoTime() + WAIT.toNanos())).isTrue();
        assertThat(session.sent).hasSize(53).startsWith("in flight", "ping", "pong 4", "data 1")
                .endsWith("data 50");
    }

    @Test
    void pingsFasterThanTheirPongsGetOnePongForTheLatestAndNeverFillTheQueue() throws Exception {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = writingItsFirstFrame(session, 3);

        for (int i = 0; i < 10_000; i++) {
            out.offerPong(new byte[] {(byte) i});
        }
        assertThat(out.offer(List.of("after"), List.of())).isTrue();
        assertThat(out.queued()).as("pongs take no place in the queue").isEqualTo(1);

        session.release();
        assertThat(out.awaitWriter(System.nanoTime() + WAIT.toNanos())).isTrue();
        assertThat(session.sent).containsExactly("in flight", "pong " + (byte) 9_999, "after");
        out.offerPong(new byte[] {7});
        await().atMost(WAIT).until(() -> session.sent.size() == 4);
        assertThat(session.sent.getLast()).isEqualTo("pong 7");
    }

    @Test
    void stopDropsWhatWaitsAndTheWriterEndsAfterItsCurrentWrite() throws Exception {
        RecordingSession session = new RecordingSession();
        OutgoingQueue out = writingItsFirstFrame(session, 8);
        out.offer(List.of("dropped"), List.of());

        out.stop();
        assertThat(out.awaitWriter(System.nanoTime() + Duration.ofMillis(100).toNanos()))
                .as("still blocked in its write").isFalse();
        session.release();

        assertThat(out.awaitWriter(System.nanoTime() + WAIT.toNanos())).isTrue();
        out.offer(List.of("after stop"), List.of());
        assertThat(out.awaitWriter(System.nanoTime() + WAIT.toNanos())).isTrue();
        assertThat(session.sent).containsExactly("in flight");
    }

    @Test
    void aFailedWriteIsReportedOnceAndNothingMoreIsWritten() throws Exception {
        RecordingSession session = new RecordingSession();
        session.block();
        AtomicInteger failures = new AtomicInteger();
        OutgoingQueue out = new OutgoingQueue(session, 8, failures::incrementAndGet, unsent -> { });
        out.offer(List.of("blocked"), List.of());
        await().atMost(WAIT).until(() -> session.blockedWrites.get() == 1);
        out.offer(List.of("never"), List.of());

        out.interruptWriter();

        assertThat(out.awaitWriter(System.nanoTime() + WAIT.toNanos())).isTrue();
        assertThat(failures.get()).isEqualTo(1);
        out.offer(List.of("later"), List.of());
        assertThat(out.awaitWriter(System.nanoTime() + WAIT.toNanos())).isTrue();
        assertThat(session.sent).isEmpty();
        assertThat(failures.get()).isEqualTo(1);
    }

    @Test
    void theMessagesOfFramesTheWriterNeverTookAreReportedWhenTheQueueIsClearedOrStopped() throws Exception {
        RecordingSession session = new RecordingSession();
        session.block();
        List<ChatEvent> unsent = new CopyOnWriteArrayList<>();
        OutgoingQueue out = new OutgoingQueue(session, 8, () -> { }, unsent::addAll);
        ChatEvent inFlight = message(1);
        out.offer(List.of("1"), List.of(inFlight));
        await().atMost(WAIT).until(() -> session.blockedWrites.get() == 1);
        ChatEvent cleared = message(2);
        out.offer(List.of("2"), List.of(cleared));
        out.offer(List.of("typing"), List.of());

        out.clear();
        assertThat(unsent).as("the frame being written was taken").containsExactly(cleared);
        assertThat(out.queued()).isZero();
        assertThat(out.queuedChars()).isZero();

        ChatEvent stopped = message(3);
        out.offer(List.of("3"), List.of(stopped));
        out.stop();
        session.release();
        assertThat(out.awaitWriter(System.nanoTime() + WAIT.toNanos())).isTrue();
        assertThat(unsent).containsExactly(cleared, stopped);
        assertThat(session.sent).containsExactly("1");
    }

    private static ChatEvent message(long seq) {
        return new ChatEvent.MessageCreated(new Message("m" + seq, "r1", "alice", seq, "hi", null, Instant.EPOCH,
                null, null), false);
    }

    /** Records what is sent; a blocked session holds every write until released (or the writer is interrupted). */
    private static final class RecordingSession implements WsSession {
        final List<String> sent = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> writers = new CopyOnWriteArrayList<>();
        final AtomicInteger maxConcurrentWriters = new AtomicInteger();
        final AtomicInteger blockedWrites = new AtomicInteger();
        private final AtomicInteger writing = new AtomicInteger();
        private volatile CountDownLatch gate = new CountDownLatch(0);

        void block() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        private WsSession record(String what) {
            int now = writing.incrementAndGet();
            maxConcurrentWriters.accumulateAndGet(now, Math::max);
            if (!writers.contains(Thread.currentThread())) {
                writers.add(Thread.currentThread());
            }
            try {
                blockedWrites.incrementAndGet();
                if (!gate.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("never released");
                }
                sent.add(what);
                return this;
            } catch (InterruptedException e) {
                throw new IllegalStateException("write interrupted", e);
            } finally {
                blockedWrites.decrementAndGet();
                writing.decrementAndGet();
            }
        }

        @Override
        public WsSession send(String text, boolean last) {
            return record(text);
        }

        @Override
        public WsSession send(BufferData bufferData, boolean last) {
            return record("binary");
        }

        @Override
        public WsSession ping(BufferData bufferData) {
            return record("ping");
        }

        @Override
        public WsSession pong(BufferData bufferData) {
            return record(bufferData.available() == 1 ? "pong " + bufferData.read() : "pong");
        }

        @Override
        public WsSession close(int code, String reason) {
            return record("close " + code);
        }

        @Override
        public WsSession terminate() {
            return this;
        }

        @Override
        public SocketContext socketContext() {
            throw new AssertionError("the queue must not need the session's socket context");
        }
    }
}
