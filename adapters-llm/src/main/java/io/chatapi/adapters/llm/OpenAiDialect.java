package io.chatapi.adapters.llm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
 * The OpenAI-compatible chat completions dialect ({@code POST /chat/completions}, Bearer key,
 * {@code choices[0].delta.content} chunks, {@code data: [DONE]} at the end); Ollama, vLLM and others speak it.
 */
final class OpenAiDialect implements Dialect {
    @Override
    public String path() {
        return "/chat/completions";
    }

    @Override
    public void headers(HttpRequest.Builder request, String apiKey) {
        if (!apiKey.isEmpty()) {
            request.header("Authorization", "Bearer " + apiKey);
        }
    }

    @Override
    public byte[] body(LlmRequest request) {
        Bot bot = request.bot();
        ObjectNode body = Completion.JSON.createObjectNode();
        body.put("model", bot.model());
        body.put("stream", true);
        ArrayNode messages = body.putArray("messages");
        if (request.systemPrompt() != null && !request.systemPrompt().isBlank()) {
            messages.addObject().put("role", "system").put("content", request.systemPrompt());
        }
        for (ChatTurn turn : request.history()) {
            messages.addObject().put("role", turn.role()).put("content", turn.content());
        }
        if (bot.temperature() != null) {
            body.put("temperature", bot.temperature());
        }
        if (bot.maxTokens() != null) {
            body.put("max_tokens", bot.maxTokens());
        }
        return Completion.bytes(body);
    }

    @Override
    public Completion completion(Consumer<String> onText) {
        return new OpenAiCompletion(onText);
    }

    /** Reads chunks until {@code [DONE]}; {@code finish_reason: length} means the token limit was hit. */
    static final class OpenAiCompletion extends Completion {
        private final Field chunkField = this::chunkField;
        private final Field choiceField = this::choiceField;
        private final Field deltaField = this::deltaField;
        private JsonNode error;
        private String content;
        private String reason;

        OpenAiCompletion(Consumer<String> onText) {
            super(onText);
        }

        @Override
        boolean isEndMarker(String data) {
            return data.equals("[DONE]");
        }

        @Override
        Optional<LlmOutcome> accept(JsonParser json, SseEvent event) throws IOException {
            error = null;
            content = null;
            reason = null;
            fields(json, chunkField);
            if (error != null) {
                return fail(error);
            }
            emit(content);
            if (reason != null) {
                finishing(reason.equals("length"));
            }
            return Optional.empty();
        }

        /** {@code error} and the first of {@code choices}. */
        private void chunkField(JsonParser json, String name) throws IOException {
            switch (name) {
                case "error" -> error = json.currentToken() == JsonToken.VALUE_NULL ? null : tree(json);
                case "choices" -> {
                    content = null;
                    reason = null;
                    firstElementFields(json, choiceField);
                }
                default -> json.skipChildren();
            }
        }

        /** A choice's {@code delta} and {@code finish_reason}. */
        private void choiceField(JsonParser json, String name) throws IOException {
            switch (name) {
                case "delta" -> {
                    content = null;
                    fields(json, deltaField);
                }
                case "finish_reason" -> reason = string(json);
                default -> json.skipChildren();
            }
        }

        private void deltaField(JsonParser json, String name) throws IOException {
            if (name.equals("content")) {
                content = string(json);
            } else {
                json.skipChildren();
            }
        }
    }
}
