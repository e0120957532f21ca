package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import io.chatapi.domain.RoomType;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShutdownTest {

    /** The first send of room_ab (alice and bob) is held in the store, once it has begun, until released. */
    private record HeldSend(CountDownLatch sending, CountDownLatch release) {
        static HeldSend in(TestServer server) {
            server.chat.room("room_ab", RoomType.GROUP, "alice", "bob");
            HeldSend held = new HeldSend(new CountDownLatch(1), new CountDownLatch(1));
            server.chat.beforeSend = () -> {
                if (held.sending.getCount() > 0) {
                    held.sending.countDown();
                    try {
                        held.release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            return held;
        }

        /** Alice sends {@code content} and this waits until the store holds it. */
        void send(WsClient alice, WsClient bob, String content) throws InterruptedException {
            alice.assertAlive();
            bob.assertAlive();
            alice.send(ShutdownTest.send("room_ab", content, "c-1"));
            assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void everySocketIsToldWhenToComeBackThenClosedWith1012() {
        TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)));
        twoSocketsToldWhenTheServer(server::close, server);
    }

    @Test
    void aStopWhoseBudgetEarlierStepsSpentStillTellsEverySocket() {
        TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)));
        twoSocketsToldWhenTheServer(() -> server.server.stop(System.nanoTime() - 1), server);
    }

    /**
     * Two open sockets, each told when to come back and then closed with 1012, by {@code stop}: within 1–2.7 s,
     * the last 0.3 s of the 3 s window being kept for reconnecting.
     */
    private static void twoSocketsToldWhenTheServer(Runnable stop, TestServer server) {
        try (WsClient a = WsClient.connect(server.port(), Tokens.user("a"));
             WsClient b = WsClient.connect(server.port(), Tokens.user("b"))) {
            a.assertAlive();
            b.assertAlive();
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(stop);
            for (WsClient client : new WsClient[] {a, b}) {
                JsonNode notice = client.next("server.shutdown");
                assertThat(notice.get("reconnect_after_ms").asLong()).isBetween(1000L, 2700L);
                assertThat(client.awaitClose()).isEqualTo(1012);
            }
            stopped.join();
        }
    }

    @Test
    void theLastTenthOfTheWindowIsLeftForTheLastClientsToConnectAndResume() {
        List<WsClient> clients = new ArrayList<>();
        try (TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)))) {
            for (int i = 0; i < 30; i++) {
                clients.add(WsClient.connect(server.port(), Tokens.user("u" + i)));
            }
            clients.forEach(WsClient::assertAlive);
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::close);
            List<Long> delays = new ArrayList<>();
            for (WsClient client : clients) {
                delays.add(client.next("server.shutdown").get("reconnect_after_ms").asLong());
            }
            stopped.join();
            assertThat(delays).allSatisfy(delay -> assertThat(delay).isBetween(1000L, 2700L));
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void aSendBeingHandledWhenTheStopBeginsIsAnsweredFirstAndOneArrivingAfterIsRefusedWithItsId()
            throws InterruptedException {
        TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)));
        HeldSend held = HeldSend.in(server);
        try (WsClient alice = WsClient.connect(server.port(), Tokens.user("alice"));
             WsClient bob = WsClient.connect(server.port(), Tokens.user("bob"))) {
            held.send(alice, bob, "in flight");
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::close);
            Thread.sleep(300); // the stop waits for alice's send
            bob.send(send("room_ab", "too late", "c-2"));
            JsonNode refused = bob.next("error");
            assertThat(refused.at("/data/code").asText()).isEqualTo("internal_error");
            assertThat(refused.at("/data/client_msg_id").asText()).isEqualTo("c-2");
            held.release().countDown();

            assertThat(types(alice)).containsExactly("message", "message.sent", "server.shutdown");
            assertThat(alice.awaitClose()).isEqualTo(1012);
            assertThat(types(bob)).containsExactly("message", "server.shutdown");
            stopped.join();
            assertThat(server.chat.history(new Principal("bob", Role.USER), "room_ab", 0, 10))
                    .extracting(Message::content).containsExactly("in flight");
        }
    }

    @Test
    void anHttpRequestBeingHandledWhenTheStopBeginsIsAnsweredAndOneArrivingAfterIsRefused() throws Exception {
        TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)));
        HeldSend held = HeldSend.in(server);
        Http http = new Http(server.port());
        CompletableFuture<HttpResponse<String>> sent = CompletableFuture.supplyAsync(() -> http.post(
                "/rooms/room_ab/messages", Tokens.user("alice"), "{\"content\":\"in flight\"}"));
        assertThat(held.sending().await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::close);
        Thread.sleep(300); // the stop waits for the request

        HttpResponse<String> late = http.get("/health", null);
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(late.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(Http.json(late).get("error").asText()).isEqualTo("internal_error");
        Thread.sleep(700); // longer than a stop with no socket to tell takes
        held.release().countDown();

        assertThat(sent.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        stopped.join();
    }

    /**
     * A send stuck in the store (another process holding the database's write lock, say) makes the stop wait for it
     * until the budget ends; the sockets are still given their second to write the notice and the close.
     */
    @ParameterizedTest
    @ValueSource(longs = {1_000, 2_000})
    void aSendStuckPastAShortBudgetStillLeavesEverySocketToldAndClosedWith1012(long budgetMs) throws Exception {
        TestServer server = TestServer.start(s -> s.shutdownDrainTimeout(Duration.ofMillis(budgetMs))
                .shutdownReconnectMax(Duration.ofSeconds(3)));
        HeldSend held = HeldSend.in(server);
        try (WsClient alice = WsClient.connect(server.port(), Tokens.user("alice"));
             WsClient bob = WsClient.connect(server.port(), Tokens.user("bob"))) {
            held.send(alice, bob, "stuck");
            long start = System.nanoTime();
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::close);
            for (WsClient client : new WsClient[] {alice, bob}) {
                assertThat(client.next("server.shutdown").get("reconnect_after_ms").asLong()).isBetween(1000L, 2700L);
                assertThat(client.awaitClose()).isEqualTo(1012);
            }
            stopped.get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("the budget, and at most the second of writing beyond it")
                    .isLessThan(Duration.ofMillis(budgetMs + 1_000 + 500));
        } finally {
            held.release().countDown();
        }
    }

    private static String send(String roomId, String content, String clientMsgId) {
        return "{\"type\":\"send_message\",\"data\":{\"room_id\":\"" + roomId + "\",\"content\":\"" + content
                + "\",\"client_msg_id\":\"" + clientMsgId + "\"}}";
    }

    /** The types of the frames a client gets up to and including {@code server.shutdown}. */
    private static List<String> types(WsClient client) {
        List<String> types = new ArrayList<>();
        do {
            types.add(client.next().get("type").asText());
        } while (!types.getLast().equals("server.shutdown"));
        return types;
    }

    @Test
    void aSocketThatOpensWhileTheServerStopsIsAlsoToldWhenToComeBack() {
        try (TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)))) {
            server.server.stopping().raise(); // the state stop() is in while it drains the sockets it has
            try (WsClient late = WsClient.connect(server.port(), Tokens.user("late"))) {
                JsonNode notice = late.next("server.shutdown");
                assertThat(notice.get("reconnect_after_ms").asLong()).isBetween(1000L, 2700L);
                assertThat(late.awaitClose()).isEqualTo(1012);
            }
            server.server.stopping().lower();
        }
    }

    @Test
    void aSocketToldLateIsGivenOnlyWhatIsLeftOfTheWindowThatBeganWithTheStop() throws InterruptedException {
        try (TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)))) {
            server.server.stopping().raise();
            Thread.sleep(1_200);
            try (WsClient late = WsClient.connect(server.port(), Tokens.user("late"))) {
                JsonNode notice = late.next("server.shutdown");
                assertThat(notice.get("reconnect_after_ms").asLong()).isBetween(1000L, 1500L);
                assertThat(late.awaitClose()).isEqualTo(1012);
            }
            Thread.sleep(1_000);
            try (WsClient later = WsClient.connect(server.port(), Tokens.user("later"))) {
                JsonNode notice = later.next("server.shutdown");
                assertThat(notice.get("reconnect_after_ms").asLong()).as("less than 1 s left").isEqualTo(1000L);
            }
            server.server.stopping().lower();
        }
    }
    @Test
    void theMessagesASocketThatStoppedReadingWasNeverWrittenWithinTheBudgetAreReportedUnsent() throws Exception {
        TestServer server = TestServer.start(s -> s.queue(1_024));
        try (RawWsClient stalled = RawWsClient.connect(server.port(), Tokens.user("slow"), 4096)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> server.registry.isOnline("slow"));
            SocketConnection connection = server.registry.all().iterator().next();
            String content = "x".repeat(16_000);
            long published = 0;
            do { // until the socket's buffers are full and frames wait behind its writer
                for (int i = 0; i < 20; i++) {
                    published++;
                    server.registry.publish(List.of("slow"), new ChatEvent.MessageCreated(new Message("m" + published,
                            "room", "sender", published, content, null, Instant.now(), null, null), false));
                }
                Thread.sleep(100);
            } while (connection.queuedItems() < 20 && published < 300);
            assertThat(connection.queuedItems()).isPositive();

            server.close(); // the writer stays blocked past the drain budget: the socket is cut

            List<Long> written = new ArrayList<>();
            try {
                for (RawWsClient.Frame f = stalled.readFrame(); f != null; f = stalled.readFrame()) {
                    if (f.opcode() == 1) {
                        written.add(WireJson.parse(f.text()).orElseThrow().get("seq").asLong());
                    }
                }
            } catch (IOException e) {
                // cut in the middle of the frame being written
            }
            List<Long> unsent = server.chat.unsent.stream()
                    .map(reported -> Long.parseLong(reported.substring("slow:room#".length()))).toList();
            assertThat(unsent).isNotEmpty().doesNotHaveDuplicates().doesNotContainAnyElementsOf(written);
            List<Long> lost = LongStream.rangeClosed(1, published).boxed()
                    .filter(seq -> !written.contains(seq) && !unsent.contains(seq)).toList();
            assertThat(lost).as("at most the frame the writer was writing when the socket was cut").hasSizeLessThan(2);
        }
    }
}
