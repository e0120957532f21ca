package io.chatapi.adapters.llm;

import static io.chatapi.adapters.llm.Fixtures.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.domain.LlmProvider;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Redirects are followed by hand and checked like the first hop; refused endpoints are never contacted. */
class RedirectAndRefusalTest {
    private static final String ANSWER = "data: {\"choices\":[{\"delta\":{\"content\":\"moved\"}}]}\n\ndata: [DONE]\n\n";

    private final List<String> texts = new CopyOnWriteArrayList<>();
    private final HttpLlmClient client = new HttpLlmClient(Fixtures.settings());

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void follows307And308KeepingThePostAndItsBody() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            switch (c.request.path()) {
                case "/v1/chat/completions" -> c.respond(307, "Location: /v2/chat/completions\r\n", "");
                case "/v2/chat/completions" -> c.respond(308, "Location: " + "/v3/chat/completions\r\n", "");
                default -> {
                    c.startStream();
                    c.chunk(ANSWER);
                    c.endStream();
                }
            }
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            assertThat(texts).containsExactly("moved");
            FakeLlmServer.Request first = fake.takeRequest();
            fake.takeRequest();
            FakeLlmServer.Request last = fake.takeRequest();
            assertThat(last.path()).isEqualTo("/v3/chat/completions");
            assertThat(last.method()).isEqualTo("POST");
            assertThat(last.body()).isEqualTo(first.body()).contains("\"model\":\"model-x\"");
            assertThat(last.headers()).containsEntry("authorization", "Bearer " + KEY);
        }
    }

    @Test
    void theKeyIsNotSentToAnotherOrigin() throws Exception {
        try (FakeLlmServer target = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(ANSWER);
            c.endStream();
        }); FakeLlmServer origin = FakeLlmServer.start(c ->
                c.respond(307, "Location: " + target.baseUrl() + "/chat/completions\r\n", ""))) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, origin.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            assertThat(origin.takeRequest().headers()).containsEntry("authorization", "Bearer " + KEY);
            assertThat(target.takeRequest().headers()).doesNotContainKey("authorization");
        }
    }

    @Test
    void redirectsThatWouldDropThePostAreErrors() throws Exception {
        for (int status : new int[] {301, 302, 303}) {
            try (FakeLlmServer fake = FakeLlmServer.start(c -> c.respond(status, "Location: /elsewhere\r\n", ""))) {
                LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                        new Cancellation());

                assertThat(outcome).as("status %d", status).isEqualTo(LlmOutcome.ERROR);
                fake.takeRequest();
                assertThat(fake.connections()).isEqualTo(1);
            }
        }
    }

    @Test
    void moreThanThreeRedirectsAreAnError() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> c.respond(307, "Location: /again\r\n", ""))) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.ERROR);
            assertThat(fake.connections()).isEqualTo(1 + RedirectingPoster.MAX_REDIRECTS);
        }
    }

    @Test
    void aRedirectFromHttpsToPlainHttpIsAnErrorAndOneThatStaysOnHttpsIsFollowed() throws Exception {
        URI secure = URI.create("https://llm.example.com/v1/chat/completions");
        assertThatThrownBy(() -> RedirectingPoster.nextHop(secure, "http://llm.example.com/v2/chat/completions"))
                .isInstanceOf(CallFailed.class).hasMessageContaining("from https to plain http");
        assertThat(RedirectingPoster.nextHop(secure, " /v2/chat/completions"))
                .isEqualTo(URI.create("https://llm.example.com/v2/chat/completions"));
        assertThat(RedirectingPoster.nextHop(URI.create("http://127.0.0.1:9/v1"), "https://llm.example.com/v1"))
                .isEqualTo(URI.create("https://llm.example.com/v1"));
        assertThatThrownBy(() -> RedirectingPoster.nextHop(secure, null)).isInstanceOf(CallFailed.class)
                .hasMessageContaining("without a valid Location");
    }

    @Test
    void aRedirectToAPrivateAddressIsRefusedWithoutContactingIt() throws Exception {
        InetAddress trusted = InetAddress.getByName("127.0.0.1");
        try (FakeLlmServer internal = FakeLlmServer.start("127.0.0.2", c -> {
            c.startStream();
            c.chunk(ANSWER);
            c.endStream();
        }); FakeLlmServer origin = FakeLlmServer.start(c ->
                c.respond(307, "Location: " + internal.baseUrl() + "/chat/completions\r\n", ""));
             HttpLlmClient strict = new HttpLlmClient(strictSettings(), new EndpointGuard(false, trusted::equals),
                     HttpLlmClient.HTTP_CLIENTS)) {

            LlmOutcome outcome = strict.stream(Fixtures.request(LlmProvider.OPENAI, origin.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.ERROR);
            assertThat(origin.connections()).isEqualTo(1);
            assertThat(internal.connections()).isZero();
            assertThat(texts).isEmpty();
        }
    }

    @Test
    void aPrivateBaseUrlIsRefusedOnEveryCallWithoutConnecting() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(ANSWER);
            c.endStream();
        }); HttpLlmClient strict = new HttpLlmClient(strictSettings())) {
            for (LlmProvider provider : LlmProvider.values()) {
                LlmOutcome outcome = strict.stream(Fixtures.request(provider, fake.baseUrl()), texts::add,
                        new Cancellation());

                assertThat(outcome).isEqualTo(LlmOutcome.ERROR);
            }
            assertThat(fake.connections()).isZero();
        }
    }

    @Test
    void badBaseUrlsAreErrorsWithoutAnyCall() {
        for (String base : new String[] {"ftp://127.0.0.1/v1", "http://no-such-llm.invalid/v1", "not a url", ""}) {
            assertThat(client.stream(Fixtures.request(LlmProvider.OPENAI, base), texts::add, new Cancellation()))
                    .as(base).isEqualTo(LlmOutcome.ERROR);
        }
    }

    private static LlmSettings strictSettings() {
        return new LlmSettings(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20), false,
                Map.of(Fixtures.KEY_ENV, KEY)::get);
    }
}
