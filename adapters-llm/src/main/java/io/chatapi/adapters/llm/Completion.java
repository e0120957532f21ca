package io.chatapi.adapters.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.application.port.out.LlmOutcome;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The state of one streamed completion in a provider's dialect: turns events into text for the caller and
 * decides how the stream ended. Data that is not a JSON object is skipped and counted. Not thread-safe.
 */
abstract sealed class Completion permits OpenAiDialect.OpenAiCompletion, AnthropicDialect.AnthropicCompletion {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<String> onText;
    private int malformed;
    private String problem = "";

    Completion(Consumer<String> onText) {
        this.onText = onText;
    }

    /** Handles one event; returns the outcome when this event ends the stream. */
    abstract Optional<LlmOutcome> accept(SseEvent event);

    /** The outcome when the stream ends without an explicit end event. */
    abstract LlmOutcome end();

    /** A request body as bytes. */
    static byte[] bytes(ObjectNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many data payloads were not JSON objects. */
    final int malformed() {
        return malformed;
    }

    /** What the provider reported when the outcome is {@link LlmOutcome#ERROR}; may be empty. */
    final String problem() {
        return problem;
    }

    /** The payload as a JSON object, or empty (counted) when it is not one. */
    final Optional<JsonNode> parse(String data) {
        try {
            JsonNode node = JSON.readTree(data);
            if (node != null && node.isObject()) {
                return Optional.of(node);
            }
        } catch (JsonProcessingException e) {
            // counted below
        }
        malformed++;
        return Optional.empty();
    }

    /** Passes a text chunk to the caller when it is a non-empty string. */
    final void emit(JsonNode text) {
        if (text.isTextual() && !text.asText().isEmpty()) {
            onText.accept(text.asText());
        }
    }

    /** Records the provider's error report and returns {@link LlmOutcome#ERROR}. */
    final Optional<LlmOutcome> fail(JsonNode error) {
        JsonNode message = error.path("message");
        problem = (error.path("type").asText("") + " " + (message.isTextual() ? message.asText() : error.toString())).strip();
        return Optional.of(LlmOutcome.ERROR);
    }
}
