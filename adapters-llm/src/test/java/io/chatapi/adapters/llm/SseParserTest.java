package io.chatapi.adapters.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    @Test
    void readsDataWithAndWithoutSpaceAndLineEndsOfEveryKind() throws IOException {
        List<SseEvent> events = readAll("data: one\n\ndata:two\r\n\r\ndata: three\r\rdata:  four\n\n", 0);

        assertThat(events).extracting(SseEvent::data).containsExactly("one", "two", "three", " four");
    }

    @Test
    void skipsCommentsAndKeepsEventTypes() throws IOException {
        List<SseEvent> events = readAll(": keep-alive\n\nevent: ping\ndata: {}\n\n:comment\ndata: x\nid: 7\nretry: 10\n\n", 0);

        assertThat(events).containsExactly(new SseEvent("ping", "{}"), new SseEvent("message", "x"));
    }

    @Test
    void joinsMultiLineDataWithLineFeeds() throws IOException {
        assertThat(readAll("data: a\ndata: b\r\ndata\n\n", 0)).containsExactly(new SseEvent("message", "a\nb\n"));
    }

    @Test
    void blankLinesWithoutDataDispatchNothing() throws IOException {
        assertThat(readAll("\n\n\r\nevent: lonely\n\n\ndata: x\n\n", 0)).containsExactly(new SseEvent("message", "x"));
    }

    @Test
    void dispatchesAnEventLeftPendingAtEndOfStream() throws IOException {
        assertThat(readAll("data: a\n\ndata: tail", 0)).extracting(SseEvent::data).containsExactly("a", "tail");
    }

    @Test
    void sameEventsWhateverHowTheBytesAreSplit() throws IOException {
        String stream = "\uFEFFdata: h\u00e9llo \u4e16\u754c\r\n\r\nevent: e\r\ndata:x\r\n\r\ndata: y\r";
        List<SseEvent> whole = readAll(stream, 0);

        assertThat(whole).containsExactly(new SseEvent("message", "h\u00e9llo \u4e16\u754c"), new SseEvent("e", "x"),
                new SseEvent("message", "y"));
        for (int piece = 1; piece <= 7; piece++) {
            assertThat(readAll(stream, piece)).as("pushed %d bytes at a time", piece).isEqualTo(whole);
        }
    }

    @Test
    void readsDirectBuffersToo() throws IOException {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        byte[] bytes = "data: di\u00e9rect\n\n".getBytes(StandardCharsets.UTF_8);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();

        parser.push(direct);

        assertThat(direct.hasRemaining()).isFalse();
        assertThat(events).containsExactly(new SseEvent("message", "di\u00e9rect"));
    }

    @Test
    void stopsWhenTheListenerSaysSo() throws IOException {
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(event -> events.add(event) && !event.data().equals("stop"));

        boolean more = parser.push(ByteBuffer.wrap("data: a\n\ndata: stop\n\ndata: b\n\n".getBytes(StandardCharsets.UTF_8)));
        parser.finish();

        assertThat(more).isFalse();
        assertThat(events).extracting(SseEvent::data).containsExactly("a", "stop");
    }

    @Test
    void refusesAnEndlessLine() throws IOException {
        SseParser parser = new SseParser(event -> true);
        byte[] piece = new byte[64 * 1024];
        java.util.Arrays.fill(piece, (byte) 'a');
        for (int i = 0; i < SseParser.MAX_LINE_BYTES / piece.length; i++) {
            parser.push(ByteBuffer.wrap(piece));
        }

        assertThatThrownBy(() -> parser.push(ByteBuffer.wrap(piece))).isInstanceOf(IOException.class)
                .hasMessageContaining("longer");
    }

    @Test
    void refusesAnEventWhoseLinesJoinPastTheEventLimit() throws IOException {
        SseParser parser = new SseParser(event -> true);
        String line = "data: " + "a".repeat(600_000) + "\n";
        parser.push(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));

        assertThatThrownBy(() -> parser.push(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(IOException.class).hasMessageContaining("longer");
        assertThat(SseParser.MAX_EVENT_CHARS).isLessThanOrEqualTo(SseParser.MAX_LINE_BYTES);
    }

    @Test
    void anEventOfOneLongestLineIsRead() throws IOException {
        String value = "a".repeat(SseParser.MAX_LINE_BYTES - "data: ".length());

        assertThat(readAll("data: " + value + "\n\n", 64 * 1024)).containsExactly(new SseEvent("message", value));
    }

    /** Every event of {@code text}, pushed {@code piece} bytes at a time (all at once when 0). */
    private static List<SseEvent> readAll(String text, int piece) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        int step = piece == 0 ? bytes.length : piece;
        for (int from = 0; from < bytes.length; from += step) {
            parser.push(ByteBuffer.wrap(bytes, from, Math.min(step, bytes.length - from)).slice());
        }
        parser.finish();
        return events;
    }
}
