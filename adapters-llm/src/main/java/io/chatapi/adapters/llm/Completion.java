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
    private LlmOutcome finish = LlmOutcome.STOP;

    Completion(Consumer<String> onText) {
        this.onText = onText;
    }

    /**
     * Handles one event; returns the outcome when this event ends the stream. Empty data is skipped, an end
     * marker of the dialect ends the stream, and anything that is not a JSON object is skipped and counted.
     */
    final Optional<LlmOutcome> accept(SseEvent event) {
        String data = event.data().strip();
        if (data.isEmpty()) {
            return Optional.empty();
        }
        if (isEndMarker(data)) {
            return Optional.of(finish);
        }
        Optional<JsonNode> parsed = parse(data);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        return accept(parsed.get(), event);
    }

    /** Handles one JSON object of the stream; returns the outcome when it ends the stream. */
    abstract Optional<LlmOutcome> accept(JsonNode json, SseEvent event);

    /** True for a non-JSON payload that ends the stream in this dialect. */
    boolean isEndMarker(String data) {
        return false;
    }

    /** The outcome when the stream ends without an explicit end event, or at an end marker. */
    final LlmOutcome end() {
        return finish;
    }

    /** Records how the stream is finishing (the token limit, or a normal stop). */
    final void finishing(boolean tokenLimit) {
        finish = tokenLimit ? LlmOutcome.LENGTH : LlmOutcome.STOP;
    }

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
    private Optional<JsonNode> parse(String data) {
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
