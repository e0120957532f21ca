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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnthropicStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpLlmClient client = new HttpLlmClient(Fixtures.settings());
    private final List<String> texts = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void streamsTextDeltasAndSendsTheMessagesRequest() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"content\":[]}}"));
            c.chunk(event("content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
            c.chunk(event("ping", "{\"type\":\"ping\"}"));
            c.chunk(event("content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \"}}"));
            c.chunk(event("content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\"}}"));
            c.chunk(event("content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"there\"}}"));
            c.chunk(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
            c.chunk(event("message_delta",
                    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}"));
            c.chunk(event("message_stop", "{\"type\":\"message_stop\"}"));
            c.endStream();
        })) {
            Bot bot = Fixtures.bot(LlmProvider.ANTHROPIC, fake.baseUrl(), 0.5, null);
            LlmRequest request = new LlmRequest(bot, "You are terse.", List.of(new ChatTurn("system", "marker"),
                    new ChatTurn("user", "Hello"), new ChatTurn("assistant", "Hi"), new ChatTurn("user", "Again")));

            LlmOutcome outcome = client.stream(request, texts::add, new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.STOP);
            assertThat(texts).containsExactly("Hi ", "there");
            FakeLlmServer.Request sent = fake.takeRequest();
            assertThat(sent.method()).isEqualTo("POST");
            assertThat(sent.path()).isEqualTo("/v1/messages");
            assertThat(sent.headers()).containsEntry("x-api-key", KEY)
                    .containsEntry("anthropic-version", "2023-06-01")
                    .containsEntry("content-type", "application/json")
                    .doesNotContainKey("authorization");
            assertThat(JSON.readTree(sent.body())).isEqualTo(JSON.readTree("""
                    {"model":"model-x","stream":true,"max_tokens":1024,"system":"You are terse.",
                     "messages":[{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi"},
                                 {"role":"user","content":"Again"}],
                     "temperature":0.5}"""));
        }
    }

    @Test
    void aHistoryThatOpensWithTheBotStartsAtThePersonsFirstMessage() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(event("message_stop", "{\"type\":\"message_stop\"}"));
            c.endStream();
        })) {
            Bot bot = Fixtures.bot(LlmProvider.ANTHROPIC, fake.baseUrl(), null, null);
            client.stream(new LlmRequest(bot, "", List.of(new ChatTurn("assistant", "Welcome"),
                    new ChatTurn("system", "marker"), new ChatTurn("assistant", "Anything else?"),
                    new ChatTurn("user", "Hello"), new ChatTurn("assistant", "Hi"), new ChatTurn("user", "Again"))),
                    texts::add, new Cancellation());

            assertThat(JSON.readTree(fake.takeRequest().body()).get("messages")).isEqualTo(JSON.readTree("""
                    [{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi"},
                     {"role":"user","content":"Again"}]"""));
        }
    }

    @Test
    void usesTheBotsMaxTokensAndOmitsAnEmptySystemPrompt() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(event("message_stop", "{\"type\":\"message_stop\"}"));
            c.endStream();
        })) {
            Bot bot = Fixtures.bot(LlmProvider.ANTHROPIC, fake.baseUrl(), null, 77);

            client.stream(new LlmRequest(bot, "", List.of(new ChatTurn("user", "x"))), texts::add, new Cancellation());

            JsonNode body = JSON.readTree(fake.takeRequest().body());
            assertThat(body.get("max_tokens").asInt()).isEqualTo(77);
            assertThat(body.has("system")).isFalse();
            assertThat(body.has("temperature")).isFalse();
        }
    }

    @Test
    void maxTokensStopReasonEndsAsLength() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk("event: content_block_delta\ndata:{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"long\"}}\n\n");
            c.chunk(event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"}}"));
            c.chunk(event("message_stop", "{\"type\":\"message_stop\"}"));
            c.endStream();
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.ANTHROPIC, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.LENGTH);
            assertThat(texts).containsExactly("long");
        }
    }

    @Test
    void aStreamThatClosesWithoutMessageStopIsAnError() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(event("content_block_delta",
                    "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"cut\"}}"));
            c.chunk(event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}"));
            c.endStream();
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.ANTHROPIC, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.ERROR);
            assertThat(texts).containsExactly("cut");
        }
    }

    @Test
    void anErrorEventIsAnErrorAndKeepsEarlierText() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk(event("content_block_delta",
                    "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"so far\"}}"));
            c.chunk(event("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
            c.endStream();
        })) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.ANTHROPIC, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.ERROR);
            assertThat(texts).containsExactly("so far");
        }
    }

    @Test
    void unauthorizedIsAnError() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> c.respond(401, "Content-Type: application/json\r\n",
                "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}"))) {
            LlmOutcome outcome = client.stream(Fixtures.request(LlmProvider.ANTHROPIC, fake.baseUrl()), texts::add,
                    new Cancellation());

            assertThat(outcome).isEqualTo(LlmOutcome.ERROR);
        }
    }

    private static String event(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }
}
