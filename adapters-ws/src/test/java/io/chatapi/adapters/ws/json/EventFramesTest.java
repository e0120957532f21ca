package io.chatapi.adapters.ws.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.ChatEvent;
import org.junit.jupiter.api.Test;

class EventFramesTest {
    @Test
    void aDeltaWrittenDirectlyIsTheTextOfItsTree() {
        String[] texts = {"plain", "", "quote \" backslash \\ slash / tab \t line \n nul \u0000 del \u007f",
            "é 日本 😀 \u2028\u2029", "</script><!--", "\ud83d\ude00".repeat(300)};
        for (String text : texts) {
            var delta = new ChatEvent.StreamDelta("room_1", "msg_01", text, Integer.MAX_VALUE);

            String frame = EventFrames.event(delta);

            assertThat(frame).isEqualTo(WireJson.text(EventFrames.eventNode(delta)));
            var parsed = WireJson.parse(frame).orElseThrow();
            assertThat(parsed.path("type").asText()).isEqualTo("message.stream.delta");
            assertThat(parsed.path("delta").asText()).isEqualTo(text);
            assertThat(parsed.path("offset").asLong()).isEqualTo(Integer.MAX_VALUE);
        }
    }
}
