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
    void aSocketThatOpensWhileTheServerStopsIsAlsoToldWhenToComeBack() {
        try (TestServer server = TestServer.start(s -> s.shutdownReconnectMax(Duration.ofSeconds(3)))) {
            server.server.stopping().set(true); // the state stop() is in while it drains the sockets it has
            try (WsClient late = WsClient.connect(server.port(), Tokens.user("late"))) {
                JsonNode notice = late.next("server.shutdown");
                assertThat(notice.get("reconnect_after_ms").asLong()).isBetween(1000L, 3000L);
                assertThat(late.awaitClose()).isEqualTo(1012);
            }
            server.server.stopping().set(false);
        }
    }
}
