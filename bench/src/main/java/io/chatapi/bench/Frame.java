package io.chatapi.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.IOException;

/**
 * The fields of a server event that the benchmarks look at, read with a streaming parser so that the load
 * generator spends little CPU per frame. Absent strings are null, absent numbers -1.
 *
 * @param errorCode {@code data.code} of an {@code error} event
 * @param clientMsgId top-level {@code client_msg_id}, or {@code data.client_msg_id} of an {@code error} event
 */
record Frame(String type, String roomId, long seq, String messageId, String content, String clientMsgId,
             String delta, long reconnectAfterMs, long lastSeq, boolean complete, boolean replay,
             String errorCode, String reason) {
    /**
     * Buffers come from one shared pool: Jackson's default pool is per thread, and every client reads on its own
     * virtual thread, so that pool would be a thread-local lookup and a recycler per connection.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build();

    /** Parses a text frame; anything that is not a JSON object gives type {@code "?"}. */
    static Frame parse(String text) {
        String type = "?";
        String roomId = null;
        long seq = -1;
        String messageId = null;
        String content = null;
        String clientMsgId = null;
        String delta = null;
        long reconnectAfter = -1;
        long lastSeq = -1;
        boolean complete = false;
        boolean replay = false;
        String errorCode = null;
        String reason = null;
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return invalid();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> type = p.getValueAsString("?");
                    case "room_id" -> roomId = p.getValueAsString();
                    case "seq" -> seq = p.getValueAsLong(-1);
                    case "message_id" -> messageId = p.getValueAsString();
                    case "content" -> content = p.getValueAsString();
                    case "client_msg_id" -> clientMsgId = p.getValueAsString();
                    case "delta" -> delta = p.getValueAsString();
                    case "reconnect_after_ms" -> reconnectAfter = p.getValueAsLong(-1);
                    case "last_seq" -> lastSeq = p.getValueAsLong(-1);
                    case "complete" -> complete = p.getValueAsBoolean();
                    case "replay" -> replay = p.getValueAsBoolean();
                    case "reason", "finish_reason" -> reason = p.getValueAsString();
                    case "data" -> {
                        if (value == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String inner = p.currentName();
                                p.nextToken();
                                if (inner.equals("code")) {
                                    errorCode = p.getValueAsString();
                                } else if (inner.equals("client_msg_id")) {
                                    clientMsgId = p.getValueAsString();
                                } else {
                                    p.skipChildren();
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            return invalid();
        }
        return new Frame(type, roomId, seq, messageId, content, clientMsgId, delta, reconnectAfter, lastSeq,
                complete, replay, errorCode, reason);
    }

    private static Frame invalid() {
        return new Frame("?", null, -1, null, null, null, null, -1, -1, false, false, null, null);
    }
}
