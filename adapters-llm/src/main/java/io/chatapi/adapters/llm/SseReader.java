package io.chatapi.adapters.llm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads server-sent events from a byte stream as they arrive, without buffering the whole body. Follows the
 * HTML event-stream rules leniently: LF, CRLF or CR line ends, {@code data:} with or without a space, comment
 * lines, {@code event:} lines, data lines joined with LF, a blank line dispatches; an event left pending at end
 * of stream is still dispatched. Not thread-safe.
 */
final class SseReader {
    static final int MAX_LINE_BYTES = 1 << 20;
    static final int MAX_EVENT_CHARS = 4 << 20;

    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder data = new StringBuilder();
    private int position;
    private int limit;
    private boolean skipLineFeed;
    private boolean firstLine = true;
    private boolean hasData;
    private String type = "";

    SseReader(InputStream in) {
        this.in = in;
    }

    /** The next event, or empty at end of stream. Throws when the stream breaks or a line or event is too long. */
    Optional<SseEvent> next() throws IOException {
        String text;
        while ((text = readLine()) != null) {
            if (text.isEmpty()) {
                Optional<SseEvent> event = dispatch();
                if (event.isPresent()) {
                    return event;
                }
            } else if (text.charAt(0) != ':') {
                field(text);
            }
        }
        return dispatch();
    }

    private void field(String text) throws IOException {
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        int start = colon < 0 ? text.length() : colon + 1;
        if (start < text.length() && text.charAt(start) == ' ') {
            start++;
        }
        String value = text.substring(start);
        if (name.equals("event")) {
            type = value;
        } else if (name.equals("data")) {
            if (hasData) {
                data.append('\n');
            }
            data.append(value);
            hasData = true;
            if (data.length() > MAX_EVENT_CHARS) {
                throw new IOException("server-sent event longer than " + MAX_EVENT_CHARS + " characters");
            }
        }
    }

    private Optional<SseEvent> dispatch() {
        Optional<SseEvent> event = hasData
                ? Optional.of(new SseEvent(type.isEmpty() ? "message" : type, data.toString()))
                : Optional.empty();
        data.setLength(0);
        hasData = false;
        type = "";
        return event;
    }

    /** One line without its terminator, or null at end of stream. */
    private String readLine() throws IOException {
        line.reset();
        while (true) {
            if (position == limit && !fill()) {
                return line.size() == 0 ? null : decodeLine();
            }
            if (skipLineFeed) {
                skipLineFeed = false;
                if (buffer[position] == '\n') {
                    position++;
                    continue;
                }
            }
            int end = position;
            while (end < limit && buffer[end] != '\n' && buffer[end] != '\r') {
                end++;
            }
            if (line.size() + (end - position) > MAX_LINE_BYTES) {
                throw new IOException("server-sent event line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(buffer, position, end - position);
            position = end;
            if (end < limit) {
                skipLineFeed = buffer[end] == '\r';
                position++;
                return decodeLine();
            }
        }
    }

    private boolean fill() throws IOException {
        int read;
        do {
            read = in.read(buffer, 0, buffer.length);
        } while (read == 0);
        if (read < 0) {
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }

    private String decodeLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        if (firstLine) {
            firstLine = false;
            if (text.startsWith("\uFEFF")) {
                return text.substring(1);
            }
        }
        return text;
    }
}
