package io.chatapi.adapters.ws.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.domain.ChatException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The one Jackson mapper of the transport: strict parsing (no trailing data) and compact writing. Thread-safe.
 * Its buffers come from one shared pool: Jackson's default pool is per thread, and here almost every thread is
 * a new virtual one (a socket's reader, a writer started for a burst), so each would allocate its own buffers
 * (about 7 % of the CPU samples of a reconnect wave) and a socket's reader would keep them for its lifetime.
 */
public final class WireJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // metadata sent as an object is stored as its JSON text: keep every number's value and digits
            // (1.10 stays 1.10, 1e400 does not become Infinity)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            // a list streamed item by item (GET /rooms) goes out as the stream's buffer fills, not one write each
            .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
            .build();

    private WireJson() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * Parses JSON text; empty when it is not valid JSON.
     *
     * @throws ChatException {@code invalid_request} when it is JSON beyond the parser's limits (a number of more
     *                       than 1,000 digits, or with an exponent no decimal holds, say): valid, but no value the
     *                       server takes
     */
    public static Optional<JsonNode> parse(String text) {
        // read as its UTF-8 bytes, as a REST body is: Jackson's text reader counts a number's digits before and
        // after its point apart, its byte reader together, and a number must be refused on both paths alike
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses JSON bytes; empty when they are not valid JSON.
     *
     * @throws ChatException {@code invalid_request} when they are JSON beyond the parser's limits
     */
    public static Optional<JsonNode> parse(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(node);
        } catch (StreamConstraintsException e) {
            throw beyondLimits(e);
        } catch (NumberFormatException e) {
            throw exponentBeyondLimits();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A number whose exponent a {@link java.math.BigDecimal} cannot hold ({@code 1e99999999999},
     * {@code 1e-2147483649}): Jackson, reading floats as decimals, throws a bare {@link NumberFormatException}.
     */
    private static ChatException exponentBeyondLimits() {
        return ChatException.invalid("a number's exponent is beyond the server's limits");
    }

    private static ChatException beyondLimits(StreamConstraintsException e) {
        StreamReadConstraints limits = MAPPER.getFactory().streamReadConstraints();
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Number value length")) {
            return ChatException.invalid("a number has more than " + limits.getMaxNumberLength() + " digits");
        }
        if (message != null && message.contains("nesting depth")) {
            return ChatException.invalid("JSON nested deeper than " + limits.getMaxNestingDepth() + " levels");
        }
        return ChatException.invalid("JSON beyond the server's limits");
    }

    /**
     * The string at {@code outer}.{@code inner} of a JSON object, read only as far as needed: the text may be cut
     * short or malformed after that point (the head of a message refused for its size). Null when it is not found
     * there, is no string, or is longer than {@code maxChars}.
     */
    public static String stringIn(String text, String outer, String inner, int maxChars) {
        try (JsonParser json = MAPPER.getFactory().createParser(text)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = outer.equals(json.currentName());
                JsonToken value = json.nextToken();
                if (wanted && value == JsonToken.START_OBJECT) {
                    while (json.nextToken() == JsonToken.FIELD_NAME) {
                        boolean found = inner.equals(json.currentName());
                        JsonToken field = json.nextToken();
                        if (found) {
                            return field == JsonToken.VALUE_STRING && json.getTextLength() <= maxChars
                                    ? json.getText() : null;
                        }
                        json.skipChildren();
                    }
                    return null;
                }
                json.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null; // the text ends, or stops being JSON, before the field
        }
    }

    /**
     * The bytes as UTF-8 text; empty when they are not UTF-8. A lenient decoder would put U+FFFD in place of each
     * bad byte, so that different bytes ({@code z\xff}, {@code z\xfe}) would read as one text.
     */
    public static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /**
     * True when the text holds no unpaired UTF-16 surrogate, so it encodes to UTF-8 unchanged (an unpaired
     * surrogate would be stored and sent as {@code ?}). One pass over the chars, no allocation.
     */
    public static boolean wellFormed(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    /** True when no string in the tree, field names included, holds an unpaired surrogate. */
    public static boolean wellFormed(JsonNode node) {
        if (node.isTextual()) {
            return wellFormed(node.textValue());
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!wellFormed(field.getKey()) || !wellFormed(field.getValue())) {
                    return false;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (!wellFormed(item)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Writes the fields of one JSON object. */
    @FunctionalInterface
    public interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    /**
     * One JSON object written field by field, with no tree in between: for the frames sent thousands of times a
     * second (a streamed reply's deltas, message events, send answers). The same text {@link #text} gives for a
     * tree of the same fields.
     */
    public static String object(Fields fields) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(out)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * A generator of compact JSON into {@code out}, for an answer written as it is made: {@code writeTree} there
     * writes a tree as {@link #bytes} would. Closing it does not close what was left open (a list cut short by a
     * failure must not be made to look whole); closing it closes {@code out}.
     */
    public static JsonGenerator generator(OutputStream out) {
        try {
            return MAPPER.getFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The JSON text an application's metadata is stored as: {@link #text}, but a decimal with a fraction is written
     * without an exponent ({@code 0.0000001}, which {@link BigDecimal#toString} writes {@code 1E-7}), so that one
     * sent without one keeps its digits. A number sent with an exponent and a fraction of more digits than a number
     * may have ({@code 1e-5000}) keeps an exponent.
     */
    public static String storedText(JsonNode node) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = new PlainFractions(MAPPER.getFactory().createGenerator(out))) {
            MAPPER.writeTree(json, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes a decimal with a fraction of at most a number's length in digits as plain digits. */
    private static final class PlainFractions extends JsonGeneratorDelegate {
        private static final int MAX_DIGITS = MAPPER.getFactory().streamReadConstraints().getMaxNumberLength();

        PlainFractions(JsonGenerator delegate) {
            super(delegate, false);
        }

        @Override
        public void writeNumber(BigDecimal value) throws IOException {
            if (value != null && value.scale() > 0 && value.scale() <= MAX_DIGITS) {
                delegate.writeNumber(value.toPlainString());
            } else {
                delegate.writeNumber(value);
            }
        }
    }

    public static String text(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
