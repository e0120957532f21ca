package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ShutdownTest {

    @Test
    void everySocketIsToldWhenToComeBackThenClosedWith1012() {
        TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)));
        try (WsClient a = WsClient.connect(server.port(), Tokens.user("a"));
             WsClient b = WsClient.connect(server.port(), Tokens.user("b"))) {
            a.assertAlive();
            b.assertAlive();
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::close);
            for (WsClient client : new WsClient[] {a, b}) {
                JsonNode notice = client.next("server.shutdown");
                assertThat(notice.get("reconnect_after_ms").asLong()).isBetween(1000L, 3000L);
                assertThat(client.awaitClose()).isEqualTo(1012);
            }
            stopped.join();
        }
    }

    @Test
    void aStopWhoseBudgetEarlierStepsSpentStillTellsEverySocket() {
        TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)));
        try (WsClient a = WsClient.connect(server.port(), Tokens.user("a"));
             WsClient b = WsClient.connect(server.port(), Tokens.user("b"))) {
            a.assertAlive();
            b.assertAlive();
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(
                    () -> server.server.stop(System.nanoTime() - 1));
            for (WsClient client : new WsClient[] {a, b}) {
                assertThat(client.next("server.shutdown").get("reconnect_after_ms").asLong()).isBetween(1000L, 3000L);
                assertThat(client.awaitClose()).isEqualTo(1012);
            }
            stopped.join();
        }
    }

    @Test
    void aSocketThatOpensWhileTheServerStopsIsAlsoToldWhenToComeBack() {
        try (TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)))) {
            server.server.stopping().raise(); // the state stop() is in while it drains the sockets it has
            try (WsClient late = WsClient.connect(server.port(), Tokens.user("late"))) {
                JsonNode notice = late.next("server.shutdown");
                assertThat(notice.get("reconnect_after_ms").asLong()).isBetween(1000L, 3000L);
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
                assertThat(notice.get("reconnect_after_ms").asLong()).isBetween(1000L, 1800L);
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
}
