package io.chatapi.adapters.ws;

/**
 * Joins the frames of one WebSocket message and enforces the message size limit on the whole message: parts are
 * kept until the limit is passed, after which the rest is counted and dropped until the last frame. A text message
 * holding U+FFFD is refused: Helidon decodes each frame by itself and puts that character in place of bytes that
 * are not UTF-8 (or of a character split between frames), so it cannot be told from them. Used by one connection's
 * reading thread only.
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

    /** A whole text message within the limit whose raw text holds U+FFFD: as far as can be told, not UTF-8. */
    record NotUtf8(String text) implements Result {
    }

    /** A whole binary message within the limit (the protocol has no use for it). */
    record Binary() implements Result {
    }

    /**
     * A whole message over the limit, of which only its head is kept: the whole text of a single frame, or the
     * frames of a longer message that fit in the limit (empty for a binary message).
     */
    record TooLarge(String head) implements Result {
    }

    private static final Result PENDING = new Pending();
    private static final char REPLACEMENT = 0xFFFD;

    private final int maxBytes;
    private StringBuilder parts;
    private long bytes;

    MessageAssembler(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    Result text(String part, boolean last) {
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
        return text.indexOf(REPLACEMENT) < 0 ? new Text(text) : new NotUtf8(text);
    }

    Result binary(int length, boolean last) {
        bytes += length;
        parts = null;
        if (!last) {
            return PENDING;
        }
        Result result = bytes > maxBytes ? new TooLarge("") : new Binary();
        reset();
        return result;
    }

    private void reset() {
        parts = null;
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
