package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A client that goes away with only a TCP FIN (a killed app), no close frame. */
class GoneWithoutCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void itIsOfflineAtOnceAndItsPlaceUnderTheCapIsFreeBeforeTheSweepEndsIt() throws Exception {
        try (TestServer server = TestServer.start(s -> s.maxConnectionsPerUser(1))) {
            int offlineWhileStillRegistered = 0;
            for (int i = 0; i < 5; i++) {
                RawWsClient gone = RawWsClient.connect(server.port(), Tokens.user("fin"), 0);
                await().atMost(WAIT).until(() -> server.registry.isOnline("fin"));
                gone.close();
                await().atMost(WAIT).until(() -> !server.registry.isOnline("fin"));
                if (!server.registry.all().isEmpty()) {
                    offlineWhileStillRegistered++; // the sweep (once a second) has not ended it yet
                    assertThat(server.registry.onlineUsers()).doesNotContain("fin");
                }
                try (RawWsClient again = RawWsClient.connect(server.port(), Tokens.user("fin"), 0)) {
                    // accepted under the cap of one, not closed with 1008
                    await().atMost(WAIT).until(() -> server.registry.isOnline("fin"));
                }
                await().atMost(WAIT).until(() -> server.registry.all().isEmpty());
            }
            assertThat(offlineWhileStillRegistered).as("offline before the sweep, in most of 5 drops")
                    .isGreaterThanOrEqualTo(3);
        }
    }
}
