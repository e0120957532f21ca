package io.chatapi.adapters.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SseReaderTest {

    @Test
    void readsDataWithAndWithoutSpaceAndLineEndsOfEveryKind() throws IOException {
        List<SseEvent> events = readAll("data: one\n\ndata:two\r\n\r\ndata: three\r\rdata:  four\n\n", false);

        assertThat(events).extracting(SseEvent::data).containsExactly("one", "two", "three", " four");
    }

    @Test
    void skipsCommentsAndKeepsEventTypes() throws IOException {
        List<SseEvent> events = readAll(": keep-alive\n\nevent: ping\ndata: {}\n\n:comment\ndata: x\nid: 7\nretry: 10\n\n", false);

        assertThat(events).containsExactly(new SseEvent("ping", "{}"), new SseEvent("message", "x"));
    }

    @Test
    void joinsMultiLineDataWithLineFeeds() throws IOException {
        assertThat(readAll("data: a\ndata: b\r\ndata\n\n", false)).containsExactly(new SseEvent("message", "a\nb\n"));
    }

    @Test
    void blankLinesWithoutDataDispatchNothing() throws IOException {
        assertThat(readAll("\n\n\r\nevent: lonely\n\n\ndata: x\n\n", false)).containsExactly(new SseEvent("message", "x"));
    }

    @Test
    void dispatchesAnEventLeftPendingAtEndOfStream() throws IOException {
        assertThat(readAll("data: a\n\ndata: tail", false)).extracting(SseEvent::data).containsExactly("a", "tail");
    }

    @Test
    void sameEventsWhenBytesArriveOneAtATime() throws IOException {
        String stream = "\uFEFFdata: h\u00e9llo \u4e16\u754c\r\n\r\nevent: e\r\ndata:x\r\n\r\n";

        assertThat(readAll(stream, true)).isEqualTo(readAll(stream, false))
                .containsExactly(new SseEvent("message", "h\u00e9llo \u4e16\u754c"), new SseEvent("e", "x"));
    }

    @Test
    void refusesAnEndlessLine() {
        byte[] huge = new byte[SseReader.MAX_LINE_BYTES + 10];
        java.util.Arrays.fill(huge, (byte) 'a');
        SseReader reader = new SseReader(new ByteArrayInputStream(huge));

        assertThatThrownBy(reader::next).isInstanceOf(IOException.class).hasMessageContaining("longer");
    }

    private static List<SseEvent> readAll(String text, boolean byteByByte) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        InputStream in = byteByByte ? new OneByteAtATime(bytes) : new ByteArrayInputStream(bytes);
        SseReader reader = new SseReader(in);
        List<SseEvent> events = new ArrayList<>();
        Optional<SseEvent> event;
        while ((event = reader.next()).isPresent()) {
            events.add(event.get());
        }
        return events;
    }

    private static final class OneByteAtATime extends ByteArrayInputStream {
        OneByteAtATime(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1));
        }
    }
}
