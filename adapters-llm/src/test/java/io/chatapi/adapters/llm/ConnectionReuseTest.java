package io.chatapi.adapters.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.domain.LlmProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** After the end event the rest of the body is read so the connection is reused, but only within limits. */
class ConnectionReuseTest {
    private static final String CHUNK = "data: {\"choices\":[{\"delta\":{\"content\":\"t\"}}]}\n\n";
    private static final String DONE = "data: [DONE]\n\n";
    /** How long the fake watches a finished connection stay open before it expects the next request on it. */
    private static final Duration KEEP_OPEN = Duration.ofMillis(500);

    private final List<String> texts = new CopyOnWriteArrayList<>();
    private final HttpLlmClient client = new HttpLlmClient(Fixtures.settings(), new EndpointGuard(true), 1);

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void aStreamThatEndsNormallyLeavesItsConnectionForTheNextCall() throws Exception {
        AtomicReference<FakeLlmServer> self = new AtomicReference<>();
        CompletableFuture<Boolean> hungUp = new CompletableFuture<>();
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(CHUNK + DONE);
            c.endStream();
            hungUp.complete(c.clientHungUpWithin(KEEP_OPEN));
            c.nextRequest(self.get());
            c.startStream();
            c.chunk(CHUNK);
            c.chunk(DONE);
            c.endStream();
        })) {
            self.set(fake);
            String url = fake.baseUrl();

            assertThat(client.stream(Fixtures.request(LlmProvider.OPENAI, url), texts::add, new Cancellation()))
                    .isEqualTo(LlmOutcome.STOP);
            assertThat(hungUp.get(10, TimeUnit.SECONDS)).as("closed the connection after the end event").isFalse();
            assertThat(client.stream(Fixtures.request(LlmProvider.OPENAI, url), texts::add, new Cancellation()))
                    .isEqualTo(LlmOutcome.STOP);

            assertThat(texts).containsExactly("t", "t");
            assertThat(fake.connections()).isEqualTo(1);
        }
    }

    @Test
    void aBodyThatNeverEndsAfterTheEndEventIsClosedWithinTheDrainTime() throws Exception {
        CompletableFuture<Boolean> hungUp = new CompletableFuture<>();
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(CHUNK + DONE);
            hungUp.complete(c.clientHungUpWithin(EventStream.DRAIN_TIME.plusSeconds(3)));
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            assertThat(hungUp).as("the call returns at the end event, before the drain gives up").isNotDone();
            assertThat(hungUp.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void tooMuchAfterTheEndEventClosesTheConnection() throws Exception {
        CompletableFuture<Boolean> hungUp = new CompletableFuture<>();
        String filler = ": " + "x".repeat(8 * 1024) + "\n";
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(CHUNK + DONE);
            try {
                for (long sent = 0; sent <= 4 * EventStream.DRAIN_BYTES; sent += filler.length()) {
                    c.chunk(filler);
                }
            } catch (java.io.IOException closed) {
                hungUp.complete(true);
                return;
            }
            hungUp.complete(c.clientHungUpWithin(Duration.ofMillis(EventStream.DRAIN_TIME.toMillis() / 2)));
        })) {
            assertThat(client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation())).isEqualTo(LlmOutcome.STOP);

            assertThat(hungUp.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(texts).containsExactly("t");
        }
    }
}
