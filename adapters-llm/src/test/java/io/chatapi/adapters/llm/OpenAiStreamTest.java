package io.chatapi.adapters.llm;

import static io.chatapi.adapters.llm.Fixtures.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.ChatTurn;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.application.port.out.LlmRequest;
import io.chatapi.domain.Bot;
import io.chatapi.domain.LlmProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenAiStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpLlmClient client = new HttpLlmClient(Fixtures.settings());
    private final List<String> texts = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void aClosedClientEndsCallsAsErrorsWithoutConnecting() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk("data: [DONE]\n\n");
            c.endStream();
        })) {
            HttpLlmClient unused = new HttpLlmClient(Fixtures.settings());
            unused.close();

            LlmOutcome outcome = unused.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.ERROR);
            assertThat(texts).isEmpty();
            assertThat(fake.connections()).isZero();
        }
    }

    @Test
    void streamsTextAndSendsTheOpenAiRequest() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n");
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n");
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"lo \u00e9\"},\"finish_reason\":null}]}\n\n");
            c.chunk("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
            c.chunk("data: [DONE]\n\n");
            c.endStream();
        })) {
            Bot bot = Fixtures.bot(LlmProvider.OPENAI, fake.baseUrl() + "/", 0.25, 300);
            LlmRequest request = new LlmRequest(bot, "Be brief.",
                    List.of(new ChatTurn("user", "Hi"), new ChatTurn("assistant", "Yes?"), new ChatTurn("user", "Say hello")));

            LlmOutcome outcome = client.stream(request, texts::add, new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            assertThat(texts).containsExactly("Hel", "lo \u00e9");
            FakeLlmServer.Request sent = fake.takeRequest();
            assertThat(sent.method()).isEqualTo("POST");
            assertThat(sent.path()).isEqualTo("/v1/chat/completions");
            assertThat(sent.headers()).containsEntry("authorization", "Bearer " + KEY)
                    .containsEntry("content-type", "application/json")
                    .containsEntry("accept", "text/event-stream");
            assertThat(JSON.readTree(sent.body())).isEqualTo(JSON.readTree("""
                    {"model":"model-x","stream":true,"messages":[
                      {"role":"system","content":"Be brief."},
                      {"role":"user","content":"Hi"},
                      {"role":"assistant","content":"Yes?"},
                      {"role":"user","content":"Say hello"}],
                     "temperature":0.25,"max_tokens":300}"""));
        }
    }

    @Test
    void withoutAKeyOrOptionsSendsNoAuthorizationAndNoOptionalFields() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\ndata: [DONE]\n\n");
            c.endStream();
        }); HttpLlmClient keyless = new HttpLlmClient(new LlmSettings(Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(20), true, Map.<String, String>of()::get))) {

            LlmOutcome outcome = keyless.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            FakeLlmServer.Request sent = fake.takeRequest();
            assertThat(sent.headers()).doesNotContainKey("authorization");
            JsonNode body = JSON.readTree(sent.body());
            assertThat(body.has("temperature")).isFalse();
            assertThat(body.has("max_tokens")).isFalse();
            assertThat(body.get("messages")).hasSize(1);
        }
    }

    @Test
    void acceptsSseVariantsAndEndOfStreamWithoutDone() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startUnframedStream();
            c.write(": OPENROUTER PROCESSING\r\n\r\n");
            c.write("event: completion\r\ndata:{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\r\n\r\n");
            c.write("data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}\n\n");
            c.write("data: {\"choices\":[{\"delta\":{\"content\":\"\"}}]}\n\n");
            c.write("data:{\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n");
            c.write("data: {\"choices\":[{\"delta\":{\"content\":\"c\"},\"finish_reason\":\"stop\"}]}\n\n");
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            assertThat(texts).containsExactly("a", "b", "c");
        }
    }

    @Test
    void skipsMalformedChunks() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"one\"}}]}\n\n");
            c.chunk("data: {\"choices\":[{\"delta\":{\"cont\n\n");
            c.chunk("data: not json at all\n\n");
            c.chunk("data: 42\n\n");
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\" two\"}}]}\n\ndata: [DONE]\n\n");
            c.endStream();
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            assertThat(texts).containsExactly("one", " two");
        }
    }

    @Test
    void lengthFinishReasonEndsAsLength() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"cut\"},\"finish_reason\":\"length\"}]}\n\n");
            c.chunk("data: {\"choices\":[],\"usage\":{\"completion_tokens\":1}}\n\ndata: [DONE]\n\n");
            c.endStream();
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.LENGTH);
            assertThat(texts).containsExactly("cut");
        }
    }

    @Test
    void anErrorObjectInTheStreamIsAnError() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n");
            c.chunk("data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n");
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"never\"}}]}\n\n");
            c.endStream();
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.ERROR);
            assertThat(texts).containsExactly("par");
        }
    }

    @Test
    void anEventWhoseLinesJoinPastOneMebiCharacterIsAnError() throws Exception {
        String half = "data: " + "x".repeat(600_000) + "\n";
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n");
            c.chunk(half);
            c.chunk(half);
            c.chunk("\ndata: [DONE]\n\n");
            c.endStream();
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.ERROR);
            assertThat(texts).containsExactly("par");
        }
    }

    @Test
    void slowChunksWithinTheIdleTimeoutAreFine() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            for (int i = 0; i < 4; i++) {
                Thread.sleep(150);
                c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"" + i + "\"}}]}\n\n");
            }
            c.chunk("data: [DONE]\n\n");
            c.endStream();
        }); HttpLlmClient patient = new HttpLlmClient(Fixtures.settings(Duration.ofSeconds(2), Duration.ofSeconds(20)))) {
            LlmOutcome outcome = patient.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            assertThat(texts).containsExactly("0", "1", "2", "3");
        }
    }

    @Test
    void aSuccessThatIsNoEventStreamIsAnErrorNotAnEmptyReply() throws Exception {
        String[][] answers = {
            {"application/json", "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\"}}"},
            {"application/json", "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"}}]}"},
            {"text/html; charset=utf-8", "<html><body>Bad gateway</body></html>"}};
        for (String[] answer : answers) {
            try (FakeLlmServer fake = FakeLlmServer.start(c -> c.respond(200, "Content-Type: " + answer[0] + "\r\n",
                    answer[1]))) {
                LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                        new Cancellation());

                assertThat(outcome).as(answer[0]).isEqualTo(LlmOutcome.ERROR);
                assertThat(texts).isEmpty();
            }
        }
    }

    @Test
    void aStreamWithoutAnyEventIsAnErrorSaidOnceInTheLog() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(HttpLlmClient.class.getName());
        Handler capture = new StreamHandler() {
            @Override
            public synchronized void publish(LogRecord record) {
                lines.add(new SimpleFormatter().formatMessage(record));
            }
        };
        logger.addHandler(capture);
        String[][] answers = {
            {"text/event-stream", "{\"error\":{\"message\":\"model not found\"}}"},
            {"text/plain", "{\"error\":{\"message\":\"model not found\"}}\n"},
            {"text/event-stream", ": keep-alive\n\n"}};
        try {
            for (String[] answer : answers) {
                lines.clear();
                try (FakeLlmServer fake = FakeLlmServer.start(c -> c.respond(200, "Content-Type: " + answer[0] + "\r\n",
                        answer[1]))) {
                    LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()),
                            texts::add, new Cancellation());

                    assertThat(outcome).as(answer[1]).isEqualTo(LlmOutcome.ERROR);
                    assertThat(lines).as(answer[1]).filteredOn(line -> line.contains("held no event")).hasSize(1);
                }
            }
        } finally {
            logger.removeHandler(capture);
        }
        assertThat(texts).isEmpty();
    }

    @Test
    void aStreamWithEventsButNoTextIsAStopWithoutText() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> c.respond(200, "Content-Type: text/event-stream\r\n",
                "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"},\"finish_reason\":\"stop\"}]}\n\n"))) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            assertThat(texts).isEmpty();
        }
    }

    @Test
    void anEventStreamLabelledPlainTextOrNotAtAllIsStillRead() throws Exception {
        for (String headers : new String[] {"Content-Type: text/plain\r\n", ""}) {
            texts.clear();
            try (FakeLlmServer fake = FakeLlmServer.start(c -> c.respond(200, headers,
                    "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                            + "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"))) {
                LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                        new Cancellation());

                assertThat(outcome).as(headers).isEqualTo(LlmOutcome.STOP);
                assertThat(texts).containsExactly("Hi");
            }
        }
    }

    @Test
    void tooManyRequestsWithAShortRetryAfterIsAskedAgainAndStreams() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            if (calls.incrementAndGet() <= 2) {
                c.respond(calls.get() == 1 ? 429 : 503, "Retry-After: 0\r\nContent-Type: application/json\r\n",
                        "{\"error\":{\"message\":\"slow down\"}}");
                return;
            }
            c.startStream();
            c.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n");
            c.chunk("data: [DONE]\n\n");
            c.endStream();
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            assertThat(texts).containsExactly("Hi");
            assertThat(calls).hasValue(3);
            assertThat(fake.takeRequest().body()).isEqualTo(fake.takeRequest().body());
        }
    }

    @Test
    void aRefusalThatLastsOrAsksForALongWaitIsAnError() throws Exception {
        for (String retryAfter : new String[] {"0", "11", "Wed, 21 Oct 2026 07:28:00 GMT"}) {
            AtomicInteger calls = new AtomicInteger();
            try (FakeLlmServer fake = FakeLlmServer.start(c -> {
                calls.incrementAndGet();
                c.respond(529, "Retry-After: " + retryAfter + "\r\nContent-Type: application/json\r\n", "{}");
            })) {
                LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                        new Cancellation());

                assertThat(outcome).as(retryAfter).isEqualTo(LlmOutcome.ERROR);
                assertThat(calls).as(retryAfter).hasValue(retryAfter.equals("0") ? 1 + HttpLlmClient.MAX_RETRIES : 1);
            }
        }
    }

    @Test
    void aCancelWhileWaitingToAskAgainEndsTheCallAtOnce() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> c.respond(429, "Retry-After: 10\r\n", "{}"))) {
            Cancellation cancellation = new Cancellation();
            Thread.ofVirtual().start(() -> {
                try {
                    fake.takeRequest();
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                cancellation.cancel();
            });
            long start = System.nanoTime();

            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                    cancellation);

            assertThat(outcome).isEqualTo(LlmOutcome.CANCELLED);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void unauthorizedAndServerErrorsAreErrors() throws Exception {
        for (int status : new int[] {401, 500, 404, 429}) {
            try (FakeLlmServer fake = FakeLlmServer.start(c -> c.respond(status, "Content-Type: application/json\r\n",
                    "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\"}}"))) {
                LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), texts::add,
                        new Cancellation());

                assertThat(outcome).as("status %d", status).isEqualTo(LlmOutcome.ERROR);
                assertThat(texts).isEmpty();
            }
        }
    }
}
