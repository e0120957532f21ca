package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.out.BotContextReply;
import io.chatapi.application.port.out.BotContextRequest;
import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.application.port.out.WebhookEvent;
import io.chatapi.application.port.out.WebhookException;
import io.chatapi.application.port.out.WebhookSender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookOutboxWorkerTest {
    private static final Instant T0 = Instant.parse("2026-04-02T12:00:00Z");
    private static final Duration BASE = Duration.ofSeconds(1);

    private final DeliveryStoreTestDouble store = new DeliveryStoreTestDouble();
    private final SenderDouble sender = new SenderDouble();
    private final ServerMetrics metrics = new ServerMetrics();
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final TimeSource clock = now::get;
    private final List<WebhookOutboxWorker> started = new ArrayList<>();

    @AfterEach
    void stopWorkers() {
        sender.gate.countDown();
        started.forEach(WebhookOutboxWorker::stop);
    }

    private WebhookOutboxWorker worker(int maxAttempts, Duration base, TimeSource time) {
        var settings = new ChatSettings(16_000, 10, 20, 500, 5, maxAttempts, base, Duration.ofSeconds(5), false, 1_000);
        return new WebhookOutboxWorker(store, sender, settings, metrics, time, Duration.ofHours(1), new SplittableRandom(42));
    }

    private static OutboxItem item(String webhookId) {
        return new OutboxItem(webhookId, "message.offline", "bob", "room_1", "msg_1", 3,
                "{\"type\":\"message.offline\",\"id\":\"" + webhookId + "\"}");
    }

    @Test
    void retriesUntilAFailingReceiverRecoversAndDeliversOnce() throws Exception {
        sender.failuresLeft.set(2);
        store.enqueueWebhook(item("wh_1"), T0);
        var worker = worker(8, BASE, clock);

        worker.runOnce().get(5, TimeUnit.SECONDS);
        var first = store.failures().getFirst();
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(first.dead()).isFalse();
        assertThat(first.nextAttemptAt()).isBetween(T0, T0.plus(BASE));

        now.set(first.nextAttemptAt());
        worker.runOnce().get(5, TimeUnit.SECONDS);
        var second = store.failures().get(1);
        assertThat(second.attempts()).isEqualTo(2);
        assertThat(second.nextAttemptAt()).isBetween(now.get(), now.get().plus(BASE.multipliedBy(2)));

        now.set(second.nextAttemptAt());
        worker.runOnce().get(5, TimeUnit.SECONDS);
        worker.runOnce().get(5, TimeUnit.SECONDS);

        assertThat(sender.calls).hasSize(3).allSatisfy(call -> {
            assertThat(call.webhookId()).isEqualTo("wh_1");
            assertThat(call.body()).isEqualTo(item("wh_1").body().text());
        });
        assertThat(store.delivered()).hasSize(1);
        assertThat(store.outbox()).isEmpty();
        assertThat(store.deadLetters(10)).isEmpty();
        assertThat(metrics.webhookDeliveries.get()).isEqualTo(1);
        assertThat(metrics.webhookFailures.get()).isEqualTo(2);
        assertThat(metrics.deadLetters.get()).isZero();
    }

    @Test
    void aPushNotificationForAMessageItsRecipientHasReadSinceIsRemovedUnsent() throws Exception {
        sender.failuresLeft.set(1);
        store.enqueueWebhook(item("wh_read"), T0);
        var worker = worker(8, BASE, clock);
        worker.runOnce().get(5, TimeUnit.SECONDS);
        assertThat(store.failures()).hasSize(1);

        store.acknowledge("bob", "room_1", 3);
        now.set(store.failures().getFirst().nextAttemptAt());
        store.enqueueWebhook(new OutboxItem("wh_handoff", "room.handoff", "bob", "room_1", null, 3, "{}"), now.get());
        worker.runOnce().get(5, TimeUnit.SECONDS);

        assertThat(sender.calls).extracting(Call::webhookId).as("no second attempt of the read one")
                .containsExactly("wh_read", "wh_handoff");
        assertThat(store.outbox()).isEmpty();
        assertThat(store.deadLetters(10)).isEmpty();
        assertThat(metrics.webhookDeliveries.get()).as("the handoff event only").isEqualTo(1);
    }

    @Test
    void anEntryBecomesADeadLetterAfterTheLastAttempt() throws Exception {
        sender.failuresLeft.set(Integer.MAX_VALUE);
        store.enqueueWebhook(item("wh_dead"), T0);
        var worker = worker(3, BASE, clock);

        for (int i = 0; i < 3; i++) {
            worker.runOnce().get(5, TimeUnit.SECONDS);
            now.set(store.failures().getLast().nextAttemptAt());
        }
        now.set(now.get().plus(Duration.ofHours(1)));
        worker.runOnce().get(5, TimeUnit.SECONDS);

        assertThat(store.failures()).extracting(DeliveryStoreTestDouble.Failure::dead).containsExactly(false, false, true);
        assertThat(store.failures()).extracting(DeliveryStoreTestDouble.Failure::attempts).containsExactly(1, 2, 3);
        assertThat(sender.calls).hasSize(3);
        assertThat(store.outbox()).isEmpty();
        assertThat(store.deadLetters(10)).singleElement().satisfies(dead -> {
            assertThat(dead.kind()).isEqualTo("webhook");
            assertThat(dead.attempts()).isEqualTo(3);
            assertThat(dead.messageId()).isEqualTo("msg_1");
        });
        assertThat(metrics.webhookFailures.get()).isEqualTo(3);
        assertThat(metrics.deadLetters.get()).isEqualTo(1);
        assertThat(metrics.webhookDeliveries.get()).isZero();
    }

    @Test
    void retryDelaysAreJitteredBetweenHalfAndAllOfAnExponentialCeiling() {
        var random = new SplittableRandom(7);
        for (int attempts = 1; attempts <= 6; attempts++) {
            long ceiling = BASE.toMillis() << (attempts - 1);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 2_000; i++) {
                long delay = WebhookOutboxWorker.retryDelay(BASE, attempts, random).toMillis();
                assertThat(delay).isBetween(ceiling / 2, ceiling);
                min = Math.min(min, delay);
                max = Math.max(max, delay);
            }
            assertThat(min).as("attempt %d spreads down", attempts).isLessThan(ceiling * 11 / 20);
            assertThat(max).as("attempt %d spreads up", attempts).isGreaterThan(ceiling * 9 / 10);
        }
        long cap = WebhookOutboxWorker.MAX_RETRY_DELAY.toMillis();
        for (int attempts : new int[] {11, 40, 64, 1_000, Integer.MAX_VALUE}) {
            for (int i = 0; i < 200; i++) {
                assertThat(WebhookOutboxWorker.retryDelay(BASE, attempts, random).toMillis()).isBetween(cap / 2, cap);
            }
        }
        assertThat(WebhookOutboxWorker.retryDelay(Duration.ofDays(400), 1, random).toMillis()).isBetween(cap / 2, cap);
    }

    @Test
    void anEntryIsNeverDeliveredTwiceAtTheSameTime() throws Exception {
        sender.blocking = true;
        store.enqueueWebhook(item("wh_slow"), T0);
        var worker = worker(8, BASE, clock);

        var firstPass = worker.runOnce();
        assertThat(sender.entered.poll(5, TimeUnit.SECONDS)).isEqualTo("wh_slow");
        worker.runOnce().get(5, TimeUnit.SECONDS);
        assertThat(sender.calls).hasSize(1);

        sender.gate.countDown();
        firstPass.get(5, TimeUnit.SECONDS);
        assertThat(store.delivered()).hasSize(1);
        assertThat(sender.calls).hasSize(1);
    }

    @Test
    void aPassThatReadTheOutboxBeforeADeliveryFinishedDoesNotSendItAgain() throws Exception {
        sender.blocking = true;
        store.enqueueWebhook(item("wh_once"), T0);
        var worker = worker(8, BASE, clock);
        var firstPass = worker.runOnce();
        assertThat(sender.entered.poll(5, TimeUnit.SECONDS)).isEqualTo("wh_once");

        // the second pass reads the row while it is in flight; the delivery then ends before the pass claims it
        var rowRead = new CountDownLatch(1);
        var deliveryEnded = new CountDownLatch(1);
        store.afterDueRead = () -> {
            store.afterDueRead = () -> { };
            rowRead.countDown();
            await(deliveryEnded);
        };
        var secondPass = java.util.concurrent.CompletableFuture.supplyAsync(worker::runOnce);
        assertThat(rowRead.await(5, TimeUnit.SECONDS)).isTrue();
        sender.gate.countDown();
        firstPass.get(5, TimeUnit.SECONDS);
        deliveryEnded.countDown();
        secondPass.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        worker.runOnce().get(5, TimeUnit.SECONDS);

        assertThat(sender.calls).extracting(Call::webhookId).containsExactly("wh_once");
        assertThat(store.delivered()).hasSize(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void atMostEightDeliveriesRunAtOnce() throws Exception {
        sender.blocking = true;
        for (int i = 0; i < 20; i++) {
            store.enqueueWebhook(item("wh_" + i), T0);
        }
        var worker = worker(8, BASE, clock);

        var pass = worker.runOnce();
        for (int i = 0; i < WebhookOutboxWorker.PARALLELISM; i++) {
            assertThat(sender.entered.poll(5, TimeUnit.SECONDS)).isNotNull();
        }
        sender.gate.countDown();
        pass.get(10, TimeUnit.SECONDS);

        assertThat(sender.maxConcurrent.get()).isEqualTo(WebhookOutboxWorker.PARALLELISM);
        assertThat(store.delivered()).hasSize(20);
        assertThat(sender.calls).extracting(Call::webhookId).doesNotHaveDuplicates();
    }

    @Test
    void aSlotIsLetGoOnceTheReceiverAnsweredNotOnceTheStoreRecordedIt() throws Exception {
        CountDownLatch commits = new CountDownLatch(1);
        store.beforeRecordingDelivery = () -> {
            try {
                commits.await(10, TimeUnit.SECONDS); // a writer busy with other commits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        for (int i = 0; i < 20; i++) {
            store.enqueueWebhook(item("wh_" + i), T0);
        }
        var worker = worker(8, BASE, clock);

        var pass = worker.runOnce();
        for (int i = 0; i < 20; i++) {
            assertThat(sender.entered.poll(5, TimeUnit.SECONDS)).as("request %d reached the receiver", i).isNotNull();
        }
        assertThat(store.delivered()).as("none recorded yet").isEmpty();
        commits.countDown();
        pass.get(10, TimeUnit.SECONDS);

        assertThat(store.delivered()).hasSize(20);
        assertThat(sender.calls).extracting(Call::webhookId).doesNotHaveDuplicates();
        worker.runOnce().get(5, TimeUnit.SECONDS);
        assertThat(sender.calls).as("nothing sent twice once recorded").hasSize(20);
    }

    @Test
    void aWakeDeliversAtOnceAndAFailureIsRetriedWithoutWaitingForTheInterval() throws Exception {
        sender.failuresLeft.set(1);
        var worker = worker(8, Duration.ofMillis(50), TimeSource.system());
        started.add(worker);
        worker.start();
        assertThat(store.dueQueries.tryAcquire(5, TimeUnit.SECONDS)).as("the first pass ran").isTrue();

        store.enqueueWebhook(item("wh_now"), Instant.now());
        worker.wake();

        assertThat(sender.entered.poll(5, TimeUnit.SECONDS)).as("delivered after the wake").isEqualTo("wh_now");
        assertThat(sender.entered.poll(5, TimeUnit.SECONDS)).as("retried after the backoff").isEqualTo("wh_now");
        assertThat(sender.succeeded.poll(5, TimeUnit.SECONDS)).isEqualTo("wh_now");
    }

    @Test
    void everyFailureIsRetriedAtItsOwnTimeNotOnlyTheEarliest() throws Exception {
        sender.failuresLeft.set(3);
        var worker = worker(8, Duration.ofMillis(200), TimeSource.system());
        started.add(worker);
        worker.start();
        assertThat(store.dueQueries.tryAcquire(5, TimeUnit.SECONDS)).as("the first pass ran").isTrue();

        for (String id : List.of("wh_a", "wh_b", "wh_c")) { // each fails once, its retry due 100-200 ms later
            store.enqueueWebhook(item(id), Instant.now());
            worker.wake();
            String entered;
            do { // skipping the retries of those before
                entered = sender.entered.poll(5, TimeUnit.SECONDS);
            } while (entered != null && !entered.equals(id));
            assertThat(entered).isEqualTo(id);
            Thread.sleep(150);
        }

        List<String> succeeded = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            succeeded.add(sender.succeeded.poll(5, TimeUnit.SECONDS)); // the periodic pass is an hour away
        }
        assertThat(succeeded).containsExactlyInAnyOrder("wh_a", "wh_b", "wh_c");
    }

    @Test
    void stoppingLetsTheDeliveriesInFlightFinishAndRecordsThemButStartsNoOther() throws Exception {
        sender.blocking = true;
        for (int i = 0; i <= WebhookOutboxWorker.PARALLELISM; i++) {
            store.enqueueWebhook(item("wh_" + i), T0);
        }
        var worker = worker(8, BASE, clock);
        worker.start();
        for (int i = 0; i < WebhookOutboxWorker.PARALLELISM; i++) {
            assertThat(sender.entered.poll(5, TimeUnit.SECONDS)).as("request %d reached the receiver", i).isNotNull();
        }
        Thread stopping = Thread.ofVirtual().start(worker::stop);
        assertThat(stopping.join(Duration.ofMillis(300))).as("the stop waits for the requests in flight").isFalse();
        sender.gate.countDown();
        assertThat(stopping.join(Duration.ofSeconds(5))).isTrue();

        assertThat(sender.calls).as("the one waiting for a slot was not sent").hasSize(WebhookOutboxWorker.PARALLELISM);
        assertThat(store.delivered()).hasSize(WebhookOutboxWorker.PARALLELISM);
        assertThat(store.outbox()).singleElement().satisfies(row -> assertThat(row.attempts()).isZero());
        assertThat(store.failures()).isEmpty();
    }

    @Test
    void stoppingInterruptsADeliveryThatOutlastsTheWaitWithoutCountingIt() throws Exception {
        sender.blocking = true;
        store.enqueueWebhook(item("wh_stop"), T0);
        var worker = worker(8, BASE, clock).withInFlightWait(Duration.ofMillis(200));
        worker.start();
        assertThat(sender.entered.poll(5, TimeUnit.SECONDS)).isEqualTo("wh_stop");

        worker.stop();

        assertThat(store.failures()).isEmpty();
        assertThat(store.outbox()).singleElement().satisfies(row -> assertThat(row.attempts()).isZero());
        assertThat(metrics.webhookFailures.get()).isZero();
    }

    @Test
    void aDeliveryTheStoreCannotRecordIsNotSentAgainAndIsRecordedOnceItCan() throws Exception {
        store.enqueueWebhook(item("wh_full"), T0);
        store.refuseWrites = true;
        var worker = worker(8, BASE, clock);

        worker.runOnce().get(5, TimeUnit.SECONDS);
        worker.runOnce().get(5, TimeUnit.SECONDS);
        worker.runOnce().get(5, TimeUnit.SECONDS);
        assertThat(sender.calls).extracting(Call::webhookId).containsExactly("wh_full");
        assertThat(store.delivered()).isEmpty();

        store.refuseWrites = false;
        worker.runOnce().get(5, TimeUnit.SECONDS);
        assertThat(store.delivered()).hasSize(1);
        assertThat(store.outbox()).isEmpty();
        assertThat(sender.calls).hasSize(1);
        assertThat(metrics.webhookDeliveries.get()).isEqualTo(1);
    }

    @Test
    void failedAttemptsTheStoreCannotRecordAreHeldForTheirBackoffAndLoggedOnceAMinute() throws Exception {
        for (int i = 0; i < 20; i++) {
            store.enqueueWebhook(item("wh_" + i), T0);
        }
        sender.failuresLeft.set(20);
        store.refuseWrites = true;
        var worker = worker(8, BASE, clock);
        Logger logger = Logger.getLogger(WebhookOutboxWorker.class.getName());
        List<LogRecord> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    lines.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            worker.runOnce().get(5, TimeUnit.SECONDS);
        } finally {
            logger.removeHandler(handler);
        }
        assertThat(sender.calls).hasSize(20);
        assertThat(lines).as("one line for the pass, not one per entry").hasSize(1);
        assertThat(lines.get(0).getMessage()).contains("since the last such line");
        assertThat(store.outbox()).as("each still due, as never failed").allSatisfy(row -> {
            assertThat(row.attempts()).isZero();
            assertThat(row.dueAt()).isEqualTo(T0);
        });

        worker.runOnce().get(5, TimeUnit.SECONDS);
        assertThat(sender.calls).as("held for their backoff, not sent at every pass").hasSize(20);

        store.refuseWrites = false;
        Thread.sleep(BASE.toMillis() + 100); // the first backoff is at most the base
        worker.runOnce().get(5, TimeUnit.SECONDS);
        assertThat(sender.calls).as("sent again once it has passed").hasSize(40);
        assertThat(store.delivered()).hasSize(20);
    }

    @Test
    void aFullBatchOfHeldEntriesDoesNotChainPassesThatSendNothing() throws Exception {
        for (int i = 0; i < WebhookOutboxWorker.BATCH + 20; i++) {
            store.enqueueWebhook(item("wh_" + i), T0);
        }
        sender.failuresLeft.set(10_000);
        store.refuseWrites = true;
        var worker = worker(8, Duration.ofMinutes(5), clock);
        worker.start();
        try {
            Thread.sleep(1_500);
            assertThat(sender.calls.size()).as("each due entry tried once, then held")
                    .isEqualTo(WebhookOutboxWorker.BATCH);
        } finally {
            worker.stop();
        }
    }

    @Test
    void nothingIsSentWhenTheWebhookIsDisabled() throws Exception {
        sender.enabled = false;
        store.enqueueWebhook(item("wh_off"), T0);

        worker(8, BASE, clock).runOnce().get(5, TimeUnit.SECONDS);

        assertThat(sender.calls).isEmpty();
        assertThat(store.outbox()).hasSize(1);
    }

    /** One call the sender saw. */
    private record Call(String webhookId, String body) {
    }

    /** A webhook receiver that fails a set number of times, and can hold calls until the gate opens. */
    private static final class SenderDouble implements WebhookSender {
        final List<Call> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        final BlockingQueue<String> entered = new LinkedBlockingQueue<>();
        final BlockingQueue<String> succeeded = new LinkedBlockingQueue<>();
        final AtomicInteger failuresLeft = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final CountDownLatch gate = new CountDownLatch(1);
        volatile boolean blocking;
        volatile boolean enabled = true;

        @Override
        public boolean enabled() {
            return enabled;
        }

        @Override
        public String encode(WebhookEvent event) {
            throw new UnsupportedOperationException("the worker never encodes");
        }

        @Override
        public void deliver(String webhookId, String body) throws WebhookException {
            calls.add(new Call(webhookId, body));
            int running = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(running, Math::max);
            try {
                entered.add(webhookId);
                if (blocking && !gate.await(10, TimeUnit.SECONDS)) {
                    throw new WebhookException("the test never opened the gate");
                }
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new WebhookException("the receiver answered HTTP 503");
                }
                succeeded.add(webhookId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WebhookException("interrupted");
            } finally {
                concurrent.decrementAndGet();
            }
        }

        @Override
        public BotContextReply botContext(BotContextRequest request, Cancellation cancellation) {
            throw new UnsupportedOperationException("the worker never asks for bot context");
        }
    }
}
