package io.chatapi.adapters.llm;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.application.port.out.LlmOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The state of one streamed completion in a provider's dialect: turns events into text for the caller and
 * decides how the stream ended. Data that is not a JSON object is skipped and counted. Payloads are read with
 * Jackson's streaming parser, keeping only the fields the dialect needs (no tree per chunk); a chunk acts only
 * once it has been read whole, so a malformed one hands over no text. Not thread-safe.
 */
abstract sealed class Completion permits OpenAiDialect.OpenAiCompletion, AnthropicDialect.AnthropicCompletion {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<String> onText;
    private int events;
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
        events++;
        String data = event.data().strip();
        if (data.isEmpty()) {
            return Optional.empty();
        }
        if (isEndMarker(data)) {
            return Optional.of(finish);
        }
        try (JsonParser json = JSON.createParser(data)) {
            if (json.nextToken() == JsonToken.START_OBJECT) {
                return accept(json, event);
            }
        } catch (IOException e) {
            // counted below
        }
        malformed++;
        return Optional.empty();
    }

    /**
     * Reads one JSON object of the stream, the parser standing on its {@code START_OBJECT}, to its end, then acts
     * on it; returns the outcome when it ends the stream. Throws (and must not have acted) when it is malformed.
     */
    abstract Optional<LlmOutcome> accept(JsonParser json, SseEvent event) throws IOException;

    /** True for a non-JSON payload that ends the stream in this dialect. */
    boolean isEndMarker(String data) {
        return false;
    }

    /** The outcome when the stream ends without an explicit end event, or at an end marker. */
    final LlmOutcome end() {
        return finish;
    }

    /**
     * Why a body that ended without the dialect's end event was cut short, or empty when it counts as complete.
     * A body that held no event at all (a JSON error object or an error page sent as a stream) never does: it was
     * no answer, not an empty one.
     */
    Optional<String> cutShort() {
        return events == 0 ? Optional.of("the provider's answer held no event") : Optional.empty();
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

    /** Passes a text chunk to the caller unless it is null or empty. */
    final void emit(String text) {
        if (text != null && !text.isEmpty()) {
            onText.accept(text);
        }
    }

    /** The string the parser stands on, or null (the value skipped) when it is anything else. */
    static String string(JsonParser json) throws IOException {
        if (json.currentToken() == JsonToken.VALUE_STRING) {
            return json.getText();
        }
        json.skipChildren();
        return null;
    }

    /** The value the parser stands on, read as a tree (only for rare parts such as error reports). */
    static JsonNode tree(JsonParser json) throws IOException {
        JsonNode node = json.readValueAsTree();
        return node == null ? MissingNode.getInstance() : node;
    }

    /** Reads one field's value; the parser stands on the value and must be left on its last token. */
    @FunctionalInterface
    interface Field {
        void read(JsonParser json, String name) throws IOException;
    }

    /**
     * Reads the object the parser stands on field by field (anything else is skipped, as a tree's {@code path}
     * would find nothing in it); {@code field} consumes each value, calling {@code skipChildren} on those unused.
     */
    static void fields(JsonParser json, Field field) throws IOException {
        if (json.currentToken() != JsonToken.START_OBJECT) {
            json.skipChildren();
            return;
        }
        JsonToken token;
        while ((token = json.nextToken()) == JsonToken.FIELD_NAME) {
            String name = json.currentName();
            json.nextToken();
            field.read(json, name);
        }
        if (token != JsonToken.END_OBJECT) {
            throw new JsonParseException(json, "object not closed");
        }
    }

    /**
     * Reads the array the parser stands on: the fields of its first element with {@code field} (as
     * {@link #fields} does), the other elements skipped; anything that is not an array is skipped.
     */
    static void firstElementFields(JsonParser json, Field field) throws IOException {
        if (json.currentToken() != JsonToken.START_ARRAY) {
            json.skipChildren();
            return;
        }
        JsonToken token = json.nextToken();
        if (token != JsonToken.END_ARRAY && token != null) {
            fields(json, field);
            while ((token = json.nextToken()) != JsonToken.END_ARRAY && token != null) {
                json.skipChildren();
            }
        }
        if (token != JsonToken.END_ARRAY) {
            throw new JsonParseException(json, "array not closed");
        }
    }

    /** Records the provider's error report and returns {@link LlmOutcome#ERROR}. */
    final Optional<LlmOutcome> fail(JsonNode error) {
        JsonNode message = error.path("message");
        problem = (error.path("type").asText("") + " " + (message.isTextual() ? message.asText() : error.toString())).strip();
        return Optional.of(LlmOutcome.ERROR);
    }
}
