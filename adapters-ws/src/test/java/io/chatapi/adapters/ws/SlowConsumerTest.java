package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SlowConsumerTest {
    private static final List<String> BOTH = List.of("slow", "fast");

    @Test
    void aClientThatStopsReadingIsClosedWith1013AndDoesNotDelayOthers() throws Exception {
        try (TestServer server = TestServer.start(s -> s.queue(8));
             RawWsClient slow = RawWsClient.connect(server.port(), Tokens.user("slow"), 4096);
             WsClient fast = WsClient.connect(server.port(), Tokens.user("fast"))) {
            long published = overflow(server, fast);
            assertThat(server.metrics.broadcastDrops.get()).isPositive();
            assertThat(server.registry.isOnline("slow")).isFalse();
            assertThat(server.registry.isOnline("fast")).isTrue();

            server.registry.publish(BOTH, event(published + 1, "after"));
            JsonNode after = fast.next("message");
            assertThat(after.get("seq").asLong()).isEqualTo(published + 1);
            assertThat(after.get("content").asText()).isEqualTo("after");

            assertThat(slow.readUntilClose()).isEqualTo(SocketConnection.SLOW_CONSUMER);
        }
    }

    @Test
    void everyMessageTheClosedSlowClientWasNeverWrittenIsReportedUnsentOnce() throws Exception {
        try (TestServer server = TestServer.start(s -> s.queue(8));
             RawWsClient slow = RawWsClient.connect(server.port(), Tokens.user("slow"), 4096);
             WsClient fast = WsClient.connect(server.port(), Tokens.user("fast"))) {
            long published = overflow(server, fast);
            List<Long> written = new ArrayList<>();
            RawWsClient.Frame frame = slow.readFrame();
            for (; frame != null && frame.opcode() != 8; frame = slow.readFrame()) {
                written.add(WireJson.parse(frame.text()).orElseThrow().get("seq").asLong());
            }
            assertThat(frame).isNotNull();
            assertThat(frame.closeCode()).isEqualTo(SocketConnection.SLOW_CONSUMER);
            await().atMost(Duration.ofSeconds(5)).until(() -> !server.chat.unsent.isEmpty());

            List<Long> unsent = server.chat.unsent.stream()
                    .map(reported -> Long.parseLong(reported.substring("slow:room#".length()))).toList();
            assertThat(server.chat.unsent).allMatch(reported -> reported.startsWith("slow:room#"));
            assertThat(unsent).as("the queued frames dropped, and the one that overflowed").isNotEmpty()
                    .doesNotHaveDuplicates().doesNotContainAnyElementsOf(written);
            List<Long> all = new ArrayList<>(written);
            all.addAll(unsent);
            assertThat(all).containsExactlyInAnyOrderElementsOf(
                    LongStream.rangeClosed(1, published).boxed().toList());
        }
    }

    @Test
    void theOfflineQueueReDeliversNothingToAUserWhoseUnsentMessagesAreNotQueuedYet() throws Exception {
        CountDownLatch queuing = new CountDownLatch(1);
        try (TestServer server = TestServer.start(s -> s.queue(8));
             RawWsClient slow = RawWsClient.connect(server.port(), Tokens.user("slow"), 4096);
             WsClient fast = WsClient.connect(server.port(), Tokens.user("fast"))) {
            server.chat.beforeUnsent = () -> {
                try {
                    queuing.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            long published = overflow(server, fast);
            try (WsClient back = WsClient.connect(server.port(), Tokens.user("slow"))) {
                await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.isOnline("slow"));
                ChatEvent later = event(published + 1, "later");
                assertThat(server.registry.publishToSettled("slow", later, Duration.ZERO, false))
                        .as("earlier messages are still on their way to the queue").isZero();

                queuing.countDown();
                await().atMost(Duration.ofSeconds(5)).until(() -> !server.chat.unsent.isEmpty());
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> server.registry.publishToSettled("slow", later, Duration.ZERO, false) == 1);
                assertThat(back.next("message").get("seq").asLong()).isEqualTo(published + 1);
            }
        } finally {
            queuing.countDown();
        }
    }

    @Test
    void aClientThatNeverReadsAgainIsCutOffAfterTheGracePeriod() throws Exception {
        try (TestServer server = TestServer.start(s -> s.queue(8));
             RawWsClient slow = RawWsClient.connect(server.port(), Tokens.user("slow"), 4096);
             WsClient fast = WsClient.connect(server.port(), Tokens.user("fast"))) {
            overflow(server, fast);
            await().atMost(Duration.ofSeconds(15)).until(() -> server.registry.all().size() == 1);
            assertThat(slow.cutByServer()).isTrue();
            fast.assertAlive();
        }
    }

    @Test
    void offlineReDeliveryStopsAtAHalfFullQueueInsteadOfMakingASlowConsumer() throws Exception {
        reDeliverUntilRefused(TestServer.start(s -> s.queue(8))); // the item bound comes first
        reDeliverUntilRefused(TestServer.start(s -> s.queue(1_024))); // frames of 32 K characters: the text bound first
    }

    private static void reDeliverUntilRefused(TestServer started) throws Exception {
        try (TestServer server = started;
             RawWsClient slow = RawWsClient.connect(server.port(), Tokens.user("slow"), 4096)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.isOnline("slow"));
            String content = "\"".repeat(16_000); // each escaped: frames of 32 K characters, the text bound first
            long seq = 0;
            int accepted = 1;
            while (accepted > 0 && seq < 5_000) {
                seq++;
                accepted = server.registry.publishToSettled("slow", event(seq, content), Duration.ZERO, true);
            }
            assertThat(accepted).as("refused once the queue is half full").isZero();
            assertThat(server.registry.isOnline("slow")).isTrue();
            assertThat(server.metrics.slowConsumerCloses.get()).isZero();
        }
    }

    @Test
    void aDeviceThatStaysTooFarBehindIsClosedOnceItsOtherDeviceTakesTheBacklogWithoutIt() throws Exception {
        try (TestServer server = TestServer.start(s -> s.queue(8));
             RawWsClient slow = RawWsClient.connect(server.port(), Tokens.user("duo"), 4096);
             WsClient fast = WsClient.connect(server.port(), Tokens.user("duo"))) {
            server.registry.maxBehind(Duration.ofSeconds(2));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.all().size() == 2);
            long next = fillUntilStuck(server, fast, "duo"); // held back from both: the backlog waits for it
            assertThat(server.metrics.slowConsumerCloses.get()).isZero();

            Thread.sleep(2_100); // it took nothing for longer than maxBehind
            assertThat(server.registry.publishToSettled("duo", event(next, "next"), Duration.ZERO, false))
                    .isEqualTo(1);
            assertThat(fast.next("message").get("content").asText()).isEqualTo("next");
            assertThat(server.metrics.slowConsumerCloses.get()).as("the device that would miss it").isEqualTo(1);
            assertThat(slow.readUntilClose()).isEqualTo(SocketConnection.SLOW_CONSUMER);
        }
    }

    @Test
    void aDeviceThatReadsItsBacklogBetweenPassesIsWaitedForAndNeverClosed() throws Exception {
        try (TestServer server = TestServer.start(s -> s.queue(8));
             RawWsClient reader = RawWsClient.connect(server.port(), Tokens.user("pair"), 4096);
             WsClient fast = WsClient.connect(server.port(), Tokens.user("pair"))) {
            server.registry.maxBehind(Duration.ofMillis(300));
            await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.all().size() == 2);
            for (int round = 0; round < 3; round++) {
                long next = fillUntilHeld(server, fast, "pair", round * 1_000L);
                for (long seq = 0; seq != next - 1; ) { // it reads what it was given, slowly, before the next pass
                    JsonNode event = reader.nextEvent();
                    if ("message".equals(event.path("type").asText())) {
                        seq = event.get("seq").asLong();
                    }
                }
                Thread.sleep(400); // longer than maxBehind since the pass that found it behind
                assertThat(server.registry.publishToSettled("pair", event(next, "x"), Duration.ZERO, false))
                        .as("round %d: caught up, both take it", round).isEqualTo(2);
                assertThat(fast.next("message").get("seq").asLong()).isEqualTo(next);
            }
            assertThat(server.metrics.slowConsumerCloses.get()).isZero();
        }
    }

    @Test
    void aDeviceCountsAsStoppedOnlyWhenItsWriterTookNothingForTheWholeWait() throws Exception {
        try (TestServer server = TestServer.start(s -> s.queue(1_024));
             RawWsClient client = RawWsClient.connect(server.port(), Tokens.user("solo"), 4096)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.isOnline("solo"));
            SocketConnection connection = server.registry.all().iterator().next();
            String content = "x".repeat(16_000);
            long seq = 0;
            long taken;
            do { // until the socket's buffers are full and the writer waits on it, with frames queued behind it
                for (int i = 0; i < 20; i++) {
                    server.registry.publish(List.of("solo"), event(++seq, content));
                }
                taken = connection.taken();
                Thread.sleep(300);
            } while ((connection.taken() != taken || connection.queuedItems() == 0) && seq < 400);
            assertThat(connection.taken()).as("the writer waits on the socket").isEqualTo(taken);
            assertThat(connection.queuedItems()).isPositive();

            Duration wait = Duration.ofMillis(300);
            long t0 = System.nanoTime();
            assertThat(connection.behindLongerThan(wait, t0)).as("first seen behind").isFalse();
            assertThat(connection.behindLongerThan(wait, t0 + 200_000_000L)).isFalse();
            assertThat(connection.behindLongerThan(wait, t0 + 400_000_000L)).as("nothing taken for the wait").isTrue();
            while (connection.taken() == taken) { // the client reads a little: the writer takes more
                client.nextEvent();
            }
            assertThat(connection.behindLongerThan(wait, t0 + 800_000_000L)).as("it reads: the wait starts again")
                    .isFalse();
            assertThat(server.metrics.slowConsumerCloses.get()).isZero();
        }
    }

    /**
     * Re-delivers to both devices of the user until the slow one's queue holds the backlog and its writer waits on
     * the socket: it took nothing for a whole second, and a publish after that is still held back from both devices.
     * A writer only late on a busy machine is not stuck, and takes again within that time. Returns the held seq.
     */
    private static long fillUntilStuck(TestServer server, WsClient fast, String user) throws InterruptedException {
        long from = 0;
        for (int tries = 0; tries < 20; tries++) {
            long held = fillUntilHeld(server, fast, user, from);
            SocketConnection slowest = server.registry.all().stream()
                    .min(Comparator.comparingLong(SocketConnection::taken)).orElseThrow();
            if (tookNothingFor(slowest, Duration.ofSeconds(1))) {
                if (server.registry.publishToSettled(user, event(held, "x"), Duration.ZERO, false) == 0) {
                    return held;
                }
                assertThat(fast.next("message").get("seq").asLong()).isEqualTo(held); // it caught up a little
                from = held;
            } else {
                from = held - 1; // held back from both: re-delivered on the next round
            }
        }
        throw new AssertionError("the slow device's writer never came to wait on its socket");
    }

    private static boolean tookNothingFor(SocketConnection connection, Duration span) throws InterruptedException {
        long taken = connection.taken();
        for (long waited = 0; waited < span.toMillis(); waited += 100) {
            Thread.sleep(100);
            if (connection.taken() != taken) {
                return false;
            }
        }
        return connection.queuedItems() > 0;
    }

    private static long fillUntilHeld(TestServer server, WsClient fast, String user, long from) {
        String content = "x".repeat(16_000);
        for (long seq = from + 1; seq < from + 1_000; seq++) {
            if (server.registry.publishToSettled(user, event(seq, content), Duration.ZERO, false) == 0) {
                return seq;
            }
            assertThat(fast.next("message").get("seq").asLong()).isEqualTo(seq);
        }
        throw new AssertionError("the slow device's queue never filled");
    }

    @Test
    void offlineReDeliveryWaitsUntilEveryConnectionOfTheUserHasSettled() throws Exception {
        try (TestServer server = TestServer.start();
             WsClient first = WsClient.connect(server.port(), Tokens.user("dana"))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.isOnline("dana"));
            Thread.sleep(600);
            try (WsClient second = WsClient.connect(server.port(), Tokens.user("dana"))) {
                await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.all().size() == 2);
                assertThat(server.registry.publishToSettled("dana", event(1, "owed"), Duration.ofMillis(500), true))
                        .as("the second device is still settling").isZero();
                assertThat(server.registry.publishToSettled("dana", event(0, "early"), Duration.ofMillis(500), false))
                        .as("waited long enough: to the settled one only").isEqualTo(1);
                Thread.sleep(600);
                assertThat(server.registry.publishToSettled("dana", event(1, "owed"), Duration.ofMillis(500), true))
                        .isEqualTo(2);
                assertThat(first.next("message").get("content").asText()).isEqualTo("early");
                assertThat(first.next("message").get("content").asText()).isEqualTo("owed");
                assertThat(second.next("message").get("content").asText()).isEqualTo("owed");
            }
        }
    }

    /** Publishes to both users, each event reaching the fast client, until the slow one is closed. */
    private static long overflow(TestServer server, WsClient fast) {
        fast.assertAlive();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.isOnline("slow"));
        String content = "x".repeat(16_000);
        long published = 0;
        while (server.metrics.slowConsumerCloses.get() == 0 && published < 5_000) {
            published++;
            server.registry.publish(BOTH, event(published, content));
            // the fast client keeps up: each event reaches it while the slow one's backlog grows
            assertThat(fast.next("message").get("seq").asLong()).isEqualTo(published);
        }
        assertThat(server.metrics.slowConsumerCloses.get()).isEqualTo(1);
        return published;
    }

    private static ChatEvent event(long seq, String content) {
        return new ChatEvent.MessageCreated(new Message("m" + seq, "room", "sender", seq, content, null,
                Instant.now(), null, null), false);
    }
}
