package io.chatapi.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Builds the client frames the benchmarks send. */
final class Frames {
    private Frames() {
    }

    static String sendMessage(String roomId, String content, String clientMsgId) {
        ObjectNode frame = Json.object();
        frame.put("type", "send_message");
        ObjectNode data = frame.putObject("data");
        data.put("room_id", roomId);
        data.put("content", content);
        if (clientMsgId != null) {
            data.put("client_msg_id", clientMsgId);
        }
        return frame.toString();
    }

    static String resume(Map<String, Long> lastSeqByRoom) {
        ObjectNode frame = Json.object();
        frame.put("type", "resume");
        ObjectNode rooms = frame.putObject("data").putObject("rooms");
        lastSeqByRoom.forEach(rooms::put);
        return frame.toString();
    }
}
