package io.chatapi.adapters.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.application.port.out.ChatTurn;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.application.port.out.LlmRequest;
import io.chatapi.domain.Bot;
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
            if (!turn.role().equals("system")) {
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

    /** Reads events until {@code message_stop}; {@code stop_reason: max_tokens} means the token limit was hit. */
    static final class AnthropicCompletion extends Completion {
        AnthropicCompletion(Consumer<String> onText) {
            super(onText);
        }

        @Override
        Optional<LlmOutcome> accept(JsonNode json, SseEvent event) {
            String type = json.path("type").asText(event.type());
            switch (type) {
                case "content_block_delta" -> {
                    JsonNode delta = json.path("delta");
                    if (delta.path("type").asText("").equals("text_delta")) {
                        emit(delta.path("text"));
                    }
                }
                case "message_delta" -> {
                    JsonNode reason = json.path("delta").path("stop_reason");
                    if (reason.isTextual()) {
                        finishing(reason.asText().equals("max_tokens"));
                    }
                }
                case "message_stop" -> {
                    return Optional.of(end());
                }
                case "error" -> {
                    return fail(json.path("error"));
                }
                default -> {
                    // message_start, content_block_start/stop, ping and unknown events carry no text
                }
            }
            return Optional.empty();
        }
    }
}
