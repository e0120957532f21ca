package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameTest {

    @Test
    void readsTheFieldsOfServerEvents() {
        Frame message = Frame.parse("{\"type\":\"message\",\"room_id\":\"room_1\",\"seq\":7,\"message_id\":\"msg_a\","
                + "\"sender_id\":\"u\",\"content\":\"fanout s=m t=5\",\"meta\":{\"x\":[1,2]},\"replay\":true}");
        assertThat(message.type()).isEqualTo("message");
        assertThat(message.roomId()).isEqualTo("room_1");
        assertThat(message.seq()).isEqualTo(7);
        assertThat(message.content()).isEqualTo("fanout s=m t=5");
        assertThat(message.replay()).isTrue();

        Frame sent = Frame.parse("{\"seq\":3,\"type\":\"message.sent\",\"client_msg_id\":\"p1\",\"duplicate\":true}");
        assertThat(sent.type()).isEqualTo("message.sent");
        assertThat(sent.clientMsgId()).isEqualTo("p1");

        Frame error = Frame.parse("{\"type\":\"error\",\"data\":{\"code\":\"rate_limited\",\"message\":\"slow\",\"client_msg_id\":\"p2\"}}");
        assertThat(error.errorCode()).isEqualTo("rate_limited");
        assertThat(error.clientMsgId()).isEqualTo("p2");

        assertThat(Frame.parse("{\"type\":\"server.shutdown\",\"reconnect_after_ms\":4200}").reconnectAfterMs()).isEqualTo(4200);
        Frame done = Frame.parse("{\"type\":\"resume.done\",\"room_id\":\"r\",\"last_seq\":12,\"complete\":false}");
        assertThat(done.lastSeq()).isEqualTo(12);
        assertThat(done.complete()).isFalse();
        Frame end = Frame.parse("{\"type\":\"message.stream.end\",\"room_id\":\"r\",\"finish_reason\":\"stop\"}");
        assertThat(end.reason()).isEqualTo("stop");
        assertThat(Frame.parse("{\"type\":\"message.stream.delta\",\"delta\":\"[t=1] \",\"offset\":0}").delta()).isEqualTo("[t=1] ");
    }

    @Test
    void anythingElseIsAnUnknownFrame() {
        assertThat(Frame.parse("not json").type()).isEqualTo("?");
        assertThat(Frame.parse("[1,2]").type()).isEqualTo("?");
        assertThat(Frame.parse("{\"seq\":1}").type()).isEqualTo("?");
    }

    @Test
    void clientFramesCarryTheirFieldsUnderData() {
        var send = Json.parse(Frames.sendMessage("room_1", "hi \"there\"", "c1"));
        assertThat(send.path("type").asText()).isEqualTo("send_message");
        assertThat(send.path("data").path("content").asText()).isEqualTo("hi \"there\"");
        assertThat(send.path("data").path("client_msg_id").asText()).isEqualTo("c1");
        assertThat(Json.parse(Frames.sendMessage("r", "x", null)).path("data").has("client_msg_id")).isFalse();
        Map<String, Long> rooms = new LinkedHashMap<>();
        rooms.put("room_1", 4L);
        var resume = Json.parse(Frames.resume(rooms));
        assertThat(resume.path("data").path("rooms").path("room_1").asLong()).isEqualTo(4);
    }

    @Test
    void fanoutContentRoundTrips() {
        FanoutContent c = new FanoutContent("fanout", "c3", 1234567L);
        assertThat(FanoutContent.parse("fanout", c.text())).isEqualTo(c);
        assertThat(FanoutContent.parse("probe", c.text())).isNull();
        assertThat(FanoutContent.parse("fanout", "fanout s=m t=abc")).isNull();
        assertThat(FanoutContent.parse("fanout", null)).isNull();
    }
}
