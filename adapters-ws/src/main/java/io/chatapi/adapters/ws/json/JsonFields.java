package io.chatapi.adapters.ws.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.domain.ChatException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of a JSON object's fields; a missing or mistyped field is an {@code invalid_request}
 * {@link ChatException} whose message names the field. Absent and {@code null} mean the same. Every string
 * read, field names of JSON text and of count maps included, must be well-formed UTF-16: an unpaired surrogate
 * is refused, since it could be neither stored nor sent unchanged.
 */
public final class JsonFields {
    /** 2^63: from it on, a float is past every {@code long}. */
    private static final double PAST_LONGS = 9_223_372_036_854_775_808d;

    private final ObjectNode node;

    private JsonFields(ObjectNode node) {
        this.node = node;
    }

    /** Wraps a node that must be an object; {@code what} names it in the error ("body", "data"). */
    public static JsonFields of(JsonNode node, String what) {
        if (node instanceof ObjectNode object) {
            return new JsonFields(object);
        }
        throw ChatException.invalid(what + " must be a JSON object");
    }

    private JsonNode value(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    public boolean has(String name) {
        return value(name) != null;
    }

    public String requiredString(String name) {
        String value = optionalString(name);
        if (value == null) {
            throw ChatException.invalid(name + " is required");
        }
        return value;
    }

    public String optionalString(String name) {
        JsonNode value = value(name);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw ChatException.invalid(name + " must be a string");
        }
        return wellFormed(name, value.textValue());
    }

    /** A string as is, or an object or array as its JSON text (applications may send metadata either way). */
    public String optionalJsonText(String name) {
        JsonNode value = value(name);
        if (value == null) {
            return null;
        }
        if (value.isTextual()) {
            return wellFormed(name, value.textValue());
        }
        if (value.isContainerNode()) {
            if (!WireJson.wellFormed(value)) {
                throw malformed(name);
            }
            return WireJson.storedText(value);
        }
        throw ChatException.invalid(name + " must be a string, a JSON object or an array");
    }

    public List<String> requiredStringList(String name) {
        JsonNode value = value(name);
        if (value == null) {
            throw ChatException.invalid(name + " is required");
        }
        if (!value.isArray()) {
            throw ChatException.invalid(name + " must be an array of strings");
        }
        List<String> items = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw ChatException.invalid(name + " must be an array of strings");
            }
            items.add(wellFormed(name, item.textValue()));
        }
        return items;
    }

    /** A required integer that is zero or more. */
    public long requiredCount(String name) {
        JsonNode value = value(name);
        if (value == null) {
            throw ChatException.invalid(name + " is required");
        }
        return count(name, value);
    }

    public Integer optionalInt(String name) {
        JsonNode value = value(name);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber()) {
            throw ChatException.invalid(name + " must be an integer");
        }
        if (!value.canConvertToInt()) {
            boolean above = value.bigIntegerValue().signum() > 0;
            throw ChatException.invalid(name + (above ? " must be at most " + Integer.MAX_VALUE : " is too small"));
        }
        return value.intValue();
    }

    public Double optionalNumber(String name) {
        JsonNode value = value(name);
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            throw ChatException.invalid(name + " must be a number");
        }
        return value.doubleValue();
    }

    public JsonFields requiredObject(String name) {
        JsonNode value = value(name);
        if (value == null) {
            throw ChatException.invalid(name + " is required");
        }
        if (!(value instanceof ObjectNode object)) {
            throw ChatException.invalid(name + " must be a JSON object");
        }
        return new JsonFields(object);
    }

    /** Every field of this object as a count (integer ≥ 0), in document order; {@code what} names the map. */
    public Map<String, Long> asCounts(String what) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String key = wellFormed(what, field.getKey());
            counts.put(key, count(what + "." + key, field.getValue()));
        }
        return counts;
    }

    private static String wellFormed(String name, String text) {
        if (!WireJson.wellFormed(text)) {
            throw malformed(name);
        }
        return text;
    }

    private static ChatException malformed(String name) {
        return ChatException.invalid(name + " must not contain an unpaired UTF-16 surrogate");
    }

    /**
     * An integer ≥ 0; written as a float with no fraction ({@code 5.0}, {@code 5e0}, {@code 1e16}) it counts too,
     * as the Go server reads any JSON number there (as a 64-bit float) and some clients write every number as a
     * float. One past the largest {@code long} is read as that largest one: a count that high is past everything
     * it could count.
     */
    private static long count(String name, JsonNode value) {
        if (value.isIntegralNumber()) {
            if (value.canConvertToLong() && value.longValue() >= 0) {
                return value.longValue();
            }
            if (value.bigIntegerValue().signum() > 0) {
                return Long.MAX_VALUE;
            }
        } else if (value.isFloatingPointNumber()) {
            double number = value.doubleValue();
            if (number >= 0 && number == Math.rint(number) && !Double.isInfinite(number)) {
                return number >= PAST_LONGS ? Long.MAX_VALUE : (long) number;
            }
        }
        throw ChatException.invalid(name + " must be an integer >= 0");
    }
}
