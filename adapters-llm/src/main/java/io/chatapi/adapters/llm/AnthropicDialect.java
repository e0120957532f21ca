package io.chatapi.adapters.llm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.application.port.out.ChatTurn;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.application.port.out.LlmRequest;
import io.chatapi.domain.Bot;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Anthropic Messages dialect ({@code POST /messages}, {@code x-api-key}, top-level {@code system},
 * {@code content_block_delta}/{@code text_delta} events, {@code message_stop} at the end).
 */
final class AnthropicDialect implements Dialect {
    static final String VERSION = "2023-06-01";
    static final int DEFAULT_MAX_TOKENS = 1024;

    @Override
    public String path() {
        return "/messages";
    }

    @Override
    public void headers(HttpRequest.Builder request, String apiKey) {
        request.header("anthropic-version", VERSION);
        if (!apiKey.isEmpty()) {
            request.header("x-api-key", apiKey);
        }
    }

    @Override
    public byte[] body(LlmRequest request) {
        Bot bot = request.bot();
        ObjectNode body = Completion.JSON.createObjectNode();
        body.put("model", bot.model());
        body.put("stream", true);
        body.put("max_tokens", bot.maxTokens() != null ? bot.maxTokens() : DEFAULT_MAX_TOKENS);
        if (request.systemPrompt() != null && !request.systemPrompt().isBlank()) {
            body.put("system", request.systemPrompt());
        }
        ArrayNode messages = body.putArray("messages");
        for (ChatTurn turn : request.history()) {
            // the Messages API of this version refuses a conversation that opens with the assistant: a window of
            // the history that begins with a bot's message begins at the first message of a person instead
            boolean opening = messages.isEmpty() && turn.role().equals("assistant");
            if (!turn.role().equals("system") && !opening) {
                messages.addObject().put("role", turn.role()).put("content", turn.content());
            }
        }
        if (bot.temperature() != null) {
            body.put("temperature", bot.temperature());
        }
        return Completion.bytes(body);
    }

    @Override
    public Completion completion(Consumer<String> onText) {
        return new AnthropicCompletion(onText);
    }

    /**
     * Reads events until {@code message_stop}, without which the stream counts as broken; {@code stop_reason:
     * max_tokens} means the token limit was hit.
     */
    static final class AnthropicCompletion extends Completion {
        private final Field eventField = this::eventField;
        private final Field deltaField = this::deltaField;
        private String type;
        private String deltaType;
        private String text;
        private String stopReason;
        private JsonNode error;

        AnthropicCompletion(Consumer<String> onText) {
            super(onText);
        }

        @Override
        Optional<LlmOutcome> accept(JsonParser json, SseEvent event) throws IOException {
            type = null;
            deltaType = null;
            text = null;
            stopReason = null;
            error = MissingNode.getInstance();
            fields(json, eventField);
            switch (type == null ? event.type() : type) {
                case "content_block_delta" -> {
                    if ("text_delta".equals(deltaType)) {
                        emit(text);
                    }
                }
                case "message_delta" -> {
                    if (stopReason != null) {
                        finishing(stopReason.equals("max_tokens"));
                    }
                }
                case "message_stop" -> {
                    return Optional.of(end());
                }
                case "error" -> {
                    return fail(error);
                }
                default -> {
                    // message_start, content_block_start/stop, ping and unknown events carry no text
                }
            }
            return Optional.empty();
        }

        /** Anthropic always ends a stream with {@code message_stop}: a body that ends before it was cut. */
        @Override
        Optional<String> cutShort() {
            return Optional.of(super.cutShort().orElse("the stream ended without message_stop"));
        }

        /** {@code type} (the SSE event name when absent or null), {@code delta} and {@code error}. */
        private void eventField(JsonParser json, String name) throws IOException {
            switch (name) {
                case "type" -> {
                    JsonToken token = json.currentToken();
                    type = token == JsonToken.VALUE_NULL ? null : token.isScalarValue() ? json.getText() : "";
                    json.skipChildren();
                }
                case "delta" -> {
                    deltaType = null;
                    text = null;
                    stopReason = null;
                    fields(json, deltaField);
                }
                case "error" -> error = tree(json);
                default -> json.skipChildren();
            }
        }

        private void deltaField(JsonParser json, String name) throws IOException {
            switch (name) {
                case "type" -> deltaType = string(json);
                case "text" -> text = string(json);
                case "stop_reason" -> stopReason = string(json);
                default -> json.skipChildren();
            }
        }
    }
}
