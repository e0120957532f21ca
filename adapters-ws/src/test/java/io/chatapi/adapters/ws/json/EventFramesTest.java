package io.chatapi.adapters.ws.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Message;
import java.time.Instant;
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

    @Test
    void aMessageEventWrittenDirectlyIsTheTextOfItsTree() {
        Instant created = Instant.parse("2026-11-27T06:00:00.123456789Z");
        Instant edited = Instant.parse("2026-11-27T06:01:00Z");
        String[] contents = {"hello", "quote \" backslash \\ tab \t line \n nul \u0000", "é 日本 😀 \u2028", "</script>"};
        String[] optionals = {null, "", "{\"k\":\"v\"}"};
        int checked = 0;
        for (String content : contents) {
            for (String meta : optionals) {
                for (String clientMsgId : new String[] {null, "", "c-1"}) {
                    for (Instant editedAt : new Instant[] {null, edited}) {
                        for (boolean replay : new boolean[] {false, true}) {
                            Message m = new Message("msg_01", "room_1", "user_1", Long.MAX_VALUE, content, meta,
                                    created, editedAt, clientMsgId);
                            var event = new ChatEvent.MessageCreated(m, replay);

                            String frame = EventFrames.event(event);

                            assertThat(frame).isEqualTo(WireJson.text(EventFrames.eventNode(event)));
                            assertThat(WireJson.parse(frame).orElseThrow().path("content").asText()).isEqualTo(content);
                            checked++;
                        }
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(144);
    }

    @Test
    void theSendAnswerNamesTheMessageAndTheClientId() {
        Message m = new Message("msg_01", "room_1", "user_1", 42, "hi", null,
                Instant.parse("2026-11-27T06:00:00.5Z"), null, "c \"1\"");

        assertThat(EventFrames.sent(m, false)).isEqualTo("{\"type\":\"message.sent\",\"room_id\":\"room_1\","
                + "\"client_msg_id\":\"c \\\"1\\\"\",\"message_id\":\"msg_01\",\"seq\":42,"
                + "\"created_at\":\"" + RestShapes.time(m.createdAt()) + "\"}");
        assertThat(WireJson.parse(EventFrames.sent(m, true)).orElseThrow().path("duplicate").asBoolean()).isTrue();
        assertThat(EventFrames.sent(m, false)).doesNotContain("duplicate");
    }
}
