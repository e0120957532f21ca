package io.chatapi.adapters.llm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses server-sent events from bytes pushed to it as they arrive, without buffering the whole body. Follows
 * the HTML event-stream rules leniently: LF, CRLF or CR line ends (also split across pushes), a leading BOM,
 * {@code data:} with or without a space, comment lines, {@code event:} lines, data lines joined with LF; a blank
 * line dispatches, and an event left pending at the end is still dispatched. Only field values are decoded
 * (UTF-8); a line is copied only when it spans two pushes. A line over {@link #MAX_LINE_BYTES} or an event over
 * {@link #MAX_EVENT_CHARS} breaks the stream. Not thread-safe.
 */
final class SseParser {
    static final int MAX_LINE_BYTES = 1 << 20;
    /**
     * The most data one event may join from its lines, in UTF-16 code units: as much as its longest line can hold,
     * so a stream that stalls in the middle of an event holds about 1 MiB of it, not several lines' worth.
     */
    static final int MAX_EVENT_CHARS = 1 << 20;
    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

    /** Receives each event; returns false to stop parsing (the rest of the bytes is then ignored). */
    @FunctionalInterface
    interface Listener {
        boolean onEvent(SseEvent event);
    }

    private final Listener listener;
    private byte[] chunk = new byte[0];
    private byte[] partial = new byte[256];
    private int partialLength;
    private boolean skipLineFeed;
    private boolean firstLine = true;
    private boolean stopped;
    private String type = "";
    private String data;
    private StringBuilder joined;

    SseParser(Listener listener) {
        this.listener = listener;
    }

    /** Parses the buffer's remaining bytes; false once the listener stopped. Throws when a line or event is too long. */
    boolean push(ByteBuffer buffer) throws IOException {
        if (buffer.hasArray()) {
            int start = buffer.arrayOffset() + buffer.position();
            int length = buffer.remaining();
            buffer.position(buffer.limit());
            return push(buffer.array(), start, start + length);
        }
        int length = buffer.remaining();
        if (chunk.length < length) {
            chunk = new byte[Math.max(length, 8192)];
        }
        buffer.get(chunk, 0, length);
        return push(chunk, 0, length);
    }

    /** Parses {@code bytes[from, to)}; false once the listener stopped. */
    boolean push(byte[] bytes, int from, int to) throws IOException {
        int i = from;
        while (i < to && !stopped) {
            if (skipLineFeed) {
                skipLineFeed = false;
                if (bytes[i] == '\n') {
                    i++;
                    continue;
                }
            }
            int end = i;
            while (end < to && bytes[end] != '\n' && bytes[end] != '\r') {
                end++;
            }
            if (end == to) {
                keep(bytes, i, to);
                return true;
            }
            skipLineFeed = bytes[end] == '\r';
            if (partialLength > 0) {
                keep(bytes, i, end);
                line(partial, 0, partialLength);
                partialLength = 0;
            } else {
                line(bytes, i, end);
            }
            i = end + 1;
        }
        return !stopped;
    }

    /** The end of the stream: parses an unterminated last line and dispatches a pending event. */
    void finish() throws IOException {
        if (stopped) {
            return;
        }
        if (partialLength > 0) {
            line(partial, 0, partialLength);
            partialLength = 0;
        }
        if (!stopped) {
            dispatch();
        }
    }

    private void keep(byte[] bytes, int from, int to) throws IOException {
        int length = to - from;
        checkLine(partialLength + length);
        if (partialLength + length > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(partialLength + length, partial.length * 2));
        }
        System.arraycopy(bytes, from, partial, partialLength, length);
        partialLength += length;
    }

    private void line(byte[] bytes, int from, int to) throws IOException {
        checkLine(to - from);
        int start = from;
        if (firstLine) {
            firstLine = false;
            if (to - start >= 3 && bytes[start] == (byte) 0xEF && bytes[start + 1] == (byte) 0xBB
                    && bytes[start + 2] == (byte) 0xBF) {
                start += 3;
            }
        }
        if (start == to) {
            dispatch();
            return;
        }
        if (bytes[start] == ':') {
            return;
        }
        int colon = start;
        while (colon < to && bytes[colon] != ':') {
            colon++;
        }
        int value = colon == to ? to : colon + 1;
        if (value < to && bytes[value] == ' ') {
            value++;
        }
        if (named(bytes, start, colon, DATA)) {
            data(new String(bytes, value, to - value, StandardCharsets.UTF_8));
        } else if (named(bytes, start, colon, EVENT)) {
            type = new String(bytes, value, to - value, StandardCharsets.UTF_8);
        }
    }

    private static void checkLine(int bytes) throws IOException {
        if (bytes > MAX_LINE_BYTES) {
            throw new IOException("server-sent event line longer than " + MAX_LINE_BYTES + " bytes");
        }
    }

    private void data(String value) throws IOException {
        if (data == null) {
            data = value;
        } else {
            if (joined == null) {
                joined = new StringBuilder(data);
            }
            joined.append('\n').append(value);
        }
        int length = joined == null ? data.length() : joined.length();
        if (length > MAX_EVENT_CHARS) {
            throw new IOException("server-sent event longer than " + MAX_EVENT_CHARS + " characters");
        }
    }

    private void dispatch() {
        if (data != null) {
            String text = joined == null ? data : joined.toString();
            stopped = !listener.onEvent(new SseEvent(type.isEmpty() ? "message" : type, text));
        }
        data = null;
        joined = null;
        type = "";
    }

    private static boolean named(byte[] bytes, int from, int to, byte[] name) {
        return to - from == name.length && Arrays.equals(bytes, from, to, name, 0, name.length);
    }
}
