package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.json.WireJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Joins the frames of one WebSocket message and enforces the message size limit on the whole message: parts are
 * kept until the limit is passed, after which the rest is counted and dropped until the last frame. A text message
 * holding U+FFFD is refused: Helidon decodes each frame by itself and puts that character in place of bytes that
 * are not UTF-8 (or of a character split between frames), so it cannot be told from them. A binary message is
 * read as UTF-8 text, as clients of the Go server may send their JSON that way; its bytes are decoded strictly, so
 * U+FFFD is an ordinary character there. Used by one connection's reading thread only.
 */
final class MessageAssembler {
    /** What a frame completes. */
    sealed interface Result {
    }

    /** The message is not finished yet. */
    record Pending() implements Result {
    }

    /** A whole text message within the limit. */
    record Text(String text) implements Result {
    }

    /**
     * A whole message within the limit that is not UTF-8: a binary one whose bytes are not, or a text one whose raw
     * text holds U+FFFD (as far as can be told, not UTF-8); {@code text} as far as it could be decoded.
     */
    record NotUtf8(String text, boolean binary) implements Result {
    }

    /**
     * A whole message over the limit, of which only its head is kept: the whole text of a single frame, or the
     * frames of a longer message that fit in the limit (a binary message's head decoded leniently).
     */
    record TooLarge(String head) implements Result {
    }

    private static final Result PENDING = new Pending();
    private static final char REPLACEMENT = 0xFFFD;

    private final int maxBytes;
    private StringBuilder parts;
    private ByteArrayOutputStream binaryParts;
    private long bytes;
    private boolean cutShort;

    MessageAssembler(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    Result text(String part, boolean last) {
        if (binaryParts != null) {
            reset();
            cutShort = true;
        }
        long partBytes = utf8Length(part);
        if (last && bytes == 0 && parts == null) {
            return partBytes > maxBytes ? new TooLarge(part) : decoded(part);
        }
        boolean fits = bytes + partBytes <= maxBytes;
        bytes += partBytes;
        if (parts == null) {
            parts = new StringBuilder();
        }
        if (fits) {
            parts.append(part);
        }
        if (!last) {
            return PENDING;
        }
        Result result = bytes > maxBytes ? new TooLarge(parts.toString()) : decoded(parts.toString());
        reset();
        return result;
    }

    private static Result decoded(String text) {
        return text.indexOf(REPLACEMENT) < 0 ? new Text(text) : new NotUtf8(text, false);
    }

    Result binary(byte[] part, boolean last) {
        if (parts != null) {
            reset();
            cutShort = true;
        }
        if (last && bytes == 0 && binaryParts == null) {
            return part.length > maxBytes ? new TooLarge(new String(part, StandardCharsets.UTF_8)) : utf8(part);
        }
        boolean fits = bytes + part.length <= maxBytes;
        bytes += part.length;
        if (binaryParts == null) {
            binaryParts = new ByteArrayOutputStream();
        }
        if (fits) {
            binaryParts.writeBytes(part);
        }
        if (!last) {
            return PENDING;
        }
        byte[] kept = binaryParts.toByteArray();
        Result result = bytes > maxBytes ? new TooLarge(new String(kept, StandardCharsets.UTF_8)) : utf8(kept);
        reset();
        return result;
    }

    private static Result utf8(byte[] bytes) {
        return WireJson.utf8(bytes).<Result>map(Text::new)
                .orElseGet(() -> new NotUtf8(new String(bytes, StandardCharsets.UTF_8), true));
    }

    /**
     * True (once) when the last frame began a message of the other kind while one was unfinished, which was
     * dropped: RFC 6455 has no such frame, and Helidon hands it over.
     */
    boolean droppedUnfinished() {
        boolean dropped = cutShort;
        cutShort = false;
        return dropped;
    }

    private void reset() {
        parts = null;
        binaryParts = null;
        bytes = 0;
    }

    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800 || Character.isSurrogate(c)) {
                n += 2;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
