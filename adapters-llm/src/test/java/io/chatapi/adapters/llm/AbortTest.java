package io.chatapi.adapters.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.domain.LlmProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Time-outs, cancellation and broken connections: each must end the call and close the connection. */
class AbortTest {
    private static final Duration HANG_UP_LIMIT = Duration.ofSeconds(5);
    private static final String CHUNK = "data: {\"choices\":[{\"delta\":{\"content\":\"t\"}}]}\n\n";

    private final List<String> texts = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Boolean> hungUp = new CompletableFuture<>();
    private final ExecutorService caller = Executors.newSingleThreadExecutor();
    private HttpLlmClient client = new HttpLlmClient(Fixtures.settings());

    /** A first call in a fresh JVM loads many classes; without a warm-up it can outlast the short time-outs here. */
    @BeforeAll
    static void warmUp() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(CHUNK + "data: [DONE]\n\n");
            c.endStream();
        }); HttpLlmClient warm = new HttpLlmClient(Fixtures.settings())) {
            assertThat(warm.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), text -> { }, new Cancellation()))
                    .isEqualTo(LlmOutcome.STOP);
        }
    }

    @AfterEach
    void close() {
        client.close();
        caller.shutdownNow();
    }

    @Test
    void noByteBeforeTheIdleTimeoutIsATimeoutAndClosesTheConnection() throws Exception {
        replaceClient(Fixtures.settings(Duration.ofMillis(300), Duration.ofSeconds(20)));
        try (FakeLlmServer fake = FakeLlmServer.start(c -> hungUp.complete(c.clientHungUpWithin(HANG_UP_LIMIT)))) {
            LlmOutcome outcome = streamFrom(fake.baseUrl(), new Cancellation()).get(10, TimeUnit.SECONDS);

            assertThat(outcome).isEqualTo(LlmOutcome.TIMEOUT);
            assertThat(hungUp.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void silenceMidStreamIsATimeoutAndKeepsEarlierText() throws Exception {
        replaceClient(Fixtures.settings(Duration.ofMillis(500), Duration.ofSeconds(20)));
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(CHUNK);
            hungUp.complete(c.clientHungUpWithin(HANG_UP_LIMIT));
        })) {
            LlmOutcome outcome = streamFrom(fake.baseUrl(), new Cancellation()).get(10, TimeUnit.SECONDS);

            assertThat(outcome).isEqualTo(LlmOutcome.TIMEOUT);
            assertThat(texts).containsExactly("t");
            assertThat(hungUp.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void theTotalTimeoutEndsAStreamThatNeverFinishes() throws Exception {
        replaceClient(Fixtures.settings(Duration.ofSeconds(5), Duration.ofMillis(700)));
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            try {
                while (true) {
                    c.chunk(CHUNK);
                    Thread.sleep(50);
                }
            } catch (java.io.IOException closed) {
                hungUp.complete(true);
            }
        })) {
            LlmOutcome outcome = streamFrom(fake.baseUrl(), new Cancellation()).get(10, TimeUnit.SECONDS);

            assertThat(outcome).isEqualTo(LlmOutcome.TIMEOUT);
            assertThat(texts).isNotEmpty();
            assertThat(hungUp.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aResetMidStreamIsAnErrorAndKeepsEarlierText() throws Exception {
        CountDownLatch delivered = new CountDownLatch(2);
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(CHUNK);
            c.chunk(CHUNK);
            delivered.await(5, TimeUnit.SECONDS);
            c.reset();
        })) {
            Future<LlmOutcome> call = caller.submit(() -> client.stream(
                    Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), text -> {
                        texts.add(text);
                        delivered.countDown();
                    }, new Cancellation()));

            assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(LlmOutcome.ERROR);
            assertThat(texts).containsExactly("t", "t");
        }
    }

    @Test
    void cancellingMidStreamAbortsTheExchange() throws Exception {
        CountDownLatch firstText = new CountDownLatch(1);
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(CHUNK);
            hungUp.complete(c.clientHungUpWithin(HANG_UP_LIMIT));
        })) {
            Cancellation cancellation = new Cancellation();
            Future<LlmOutcome> call = caller.submit(() -> client.stream(
                    Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), text -> {
                        texts.add(text);
                        firstText.countDown();
                    }, cancellation));
            assertThat(firstText.await(5, TimeUnit.SECONDS)).isTrue();

            cancellation.cancel();

            assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(LlmOutcome.CANCELLED);
            assertThat(texts).containsExactly("t");
            assertThat(hungUp.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aTextCallbackThatThrowsEndsTheCallAsAnErrorAndClosesTheConnection() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(CHUNK + CHUNK);
            hungUp.complete(c.clientHungUpWithin(HANG_UP_LIMIT));
        })) {
            Future<LlmOutcome> call = caller.submit(() -> client.stream(
                    Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), text -> {
                        texts.add(text);
                        throw new IllegalStateException("the receiver failed");
                    }, new Cancellation()));

            assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(LlmOutcome.ERROR);
            assertThat(texts).containsExactly("t");
            assertThat(hungUp.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void cancellingBeforeTheAnswerAbortsTheExchange() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> hungUp.complete(c.clientHungUpWithin(HANG_UP_LIMIT)))) {
            Cancellation cancellation = new Cancellation();
            Future<LlmOutcome> call = streamFrom(fake.baseUrl(), cancellation);
            fake.takeRequest();

            cancellation.cancel();

            assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo(LlmOutcome.CANCELLED);
            assertThat(hungUp.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void anAlreadyCancelledCallConnectsNowhere() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> c.startStream())) {
            Cancellation cancellation = new Cancellation();
            cancellation.cancel();

            assertThat(streamFrom(fake.baseUrl(), cancellation).get(5, TimeUnit.SECONDS)).isEqualTo(LlmOutcome.CANCELLED);
            assertThat(fake.connections()).isZero();
        }
    }

    @Test
    void aRefusedConnectionIsAnError() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0)) {
            port = closed.getLocalPort();
        }

        LlmOutcome outcome = streamFrom("http://127.0.0.1:" + port + "/v1", new Cancellation()).get(10, TimeUnit.SECONDS);

        assertThat(outcome).isEqualTo(LlmOutcome.ERROR);
    }

    @Test
    void aConnectionThatIsNeverAcceptedIsATimeout() throws Exception {
        replaceClient(new LlmSettings(Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ofSeconds(20), true,
                Map.<String, String>of()::get));
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            InetSocketAddress address = new InetSocketAddress(full.getInetAddress(), full.getLocalPort());
            assumeTrue(fillBacklog(address, fillers), "the accept queue could not be filled on this system");

            LlmOutcome outcome = streamFrom("http://127.0.0.1:" + full.getLocalPort() + "/v1", new Cancellation())
                    .get(10, TimeUnit.SECONDS);

            assertThat(outcome).isEqualTo(LlmOutcome.TIMEOUT);
        } finally {
            for (Socket filler : fillers) {
                filler.close();
            }
        }
    }

    /** Connects until a connection attempt hangs, which means the listener's queue is full. */
    private static boolean fillBacklog(InetSocketAddress address, List<Socket> fillers) throws IOException {
        for (int i = 0; i < 20; i++) {
            Socket socket = new Socket();
            fillers.add(socket);
            try {
                socket.connect(address, 200);
            } catch (SocketTimeoutException e) {
                return true;
            }
        }
        return false;
    }

    private void replaceClient(LlmSettings settings) {
        client.close();
        client = new HttpLlmClient(settings);
    }

    private Future<LlmOutcome> streamFrom(String baseUrl, Cancellation cancellation) {
        HttpLlmClient current = client;
        return caller.submit(() -> current.stream(Fixtures.request(LlmProvider.OPENAI, baseUrl), texts::add, cancellation));
    }
}
