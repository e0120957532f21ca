package io.chatapi.adapters.ws.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Message;
import java.io.IOException;

/** Server-to-client frames: every {@link ChatEvent} and the socket's own answers, as JSON text. */
public final class EventFrames {
    /** The text of the error for a store that is busy or down, in an {@code error} frame and a REST body alike. */
    public static final String UNAVAILABLE_MESSAGE = "service temporarily unavailable, retry later";

    private EventFrames() {
    }

    public static String event(ChatEvent event) {
        return switch (event) {
            case ChatEvent.StreamDelta delta -> delta(delta);
            case ChatEvent.MessageCreated created -> messageText(created.message(), created.replay());
            default -> WireJson.text(eventNode(event));
        };
    }

    /** A message event, sent to every member for every message: written directly, the same text as its tree. */
    private static String messageText(Message m, boolean replay) {
        return WireJson.object(json -> {
            json.writeStringField("type", "message");
            json.writeStringField("room_id", m.roomId());
            json.writeNumberField("seq", m.seq());
            json.writeStringField("message_id", m.id());
            json.writeStringField("sender_id", m.senderId());
            json.writeStringField("content", m.content());
            writeIfPresent(json, "meta", m.meta());
            json.writeStringField("created_at", RestShapes.time(m.createdAt()));
            if (m.editedAt() != null) {
                json.writeStringField("edited_at", RestShapes.time(m.editedAt()));
            }
            writeIfPresent(json, "client_msg_id", m.clientMsgId());
            if (replay) {
                json.writeBooleanField("replay", true);
            }
        });
    }

    /** As {@link RestShapes#putIfPresent}: neither null nor empty. */
    private static void writeIfPresent(JsonGenerator json, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            json.writeStringField(name, value);
        }
    }

    /** A reply's delta, the most frequent frame of all: written directly, the same text as its tree. */
    private static String delta(ChatEvent.StreamDelta e) {
        return WireJson.object(json -> {
            json.writeStringField("type", "message.stream.delta");
            json.writeStringField("room_id", e.roomId());
            json.writeStringField("message_id", e.messageId());
            json.writeStringField("delta", e.delta());
            json.writeNumberField("offset", e.offset());
        });
    }

    static ObjectNode eventNode(ChatEvent event) {
        return switch (event) {
            case ChatEvent.MessageCreated e -> message(e.message(), e.replay());
            case ChatEvent.MessageEdited e -> edited(e.message());
            case ChatEvent.MessageDeleted e -> typed("message.deleted").put("room_id", e.roomId())
                    .put("message_id", e.messageId()).put("seq", e.seq());
            case ChatEvent.AckReceived e -> typed("ack.received").put("room_id", e.roomId())
                    .put("seq", e.seq()).put("user_id", e.userId());
            case ChatEvent.Typing e -> typed("typing").put("room_id", e.roomId()).put("user_id", e.userId())
                    .put("action", e.start() ? "start" : "stop");
            case ChatEvent.PresenceUpdate e -> typed("presence.update").put("user_id", e.userId())
                    .put("status", e.online() ? "online" : "offline").put("timestamp", e.epochSeconds());
            case ChatEvent.StreamStart e -> typed("message.stream.start").put("room_id", e.roomId())
                    .put("message_id", e.messageId()).put("sender_id", e.senderId());
            case ChatEvent.StreamDelta e -> typed("message.stream.delta").put("room_id", e.roomId())
                    .put("message_id", e.messageId()).put("delta", e.delta()).put("offset", e.offset());
            case ChatEvent.StreamEnd e -> typed("message.stream.end").put("room_id", e.roomId())
                    .put("message_id", e.messageId()).put("sender_id", e.senderId()).put("content", e.content())
                    .put("seq", e.seq()).put("finish_reason", e.finishReason());
            case ChatEvent.StreamError e -> typed("message.stream.error").put("room_id", e.roomId())
                    .put("message_id", e.messageId()).put("reason", e.reason());
            case ChatEvent.RoomHandoff e -> handoff(e.roomId(), e.handoff());
        };
    }

    private static ObjectNode message(Message m, boolean replay) {
        ObjectNode node = typed("message").put("room_id", m.roomId()).put("seq", m.seq())
                .put("message_id", m.id()).put("sender_id", m.senderId()).put("content", m.content());
        RestShapes.putIfPresent(node, "meta", m.meta());
        node.put("created_at", RestShapes.time(m.createdAt()));
        if (m.editedAt() != null) {
            node.put("edited_at", RestShapes.time(m.editedAt()));
        }
        RestShapes.putIfPresent(node, "client_msg_id", m.clientMsgId());
        if (replay) {
            node.put("replay", true);
        }
        return node;
    }

    private static ObjectNode edited(Message m) {
        ObjectNode node = typed("message.edited").put("room_id", m.roomId()).put("message_id", m.id())
                .put("seq", m.seq()).put("sender_id", m.senderId()).put("content", m.content());
        if (m.editedAt() != null) {
            node.put("edited_at", RestShapes.time(m.editedAt()));
        }
        return node;
    }

    private static ObjectNode handoff(String roomId, Handoff h) {
        ObjectNode node = typed("room.handoff").put("room_id", roomId).put("state", h.state().wire());
        RestShapes.putIfPresent(node, "agent_id", h.agentId());
        RestShapes.putIfPresent(node, "reason", h.reason());
        RestShapes.putIfPresent(node, "by", h.by());
        return node.put("since", RestShapes.time(h.since()));
    }

    /** {@code {"type":"error","data":{"code","message","client_msg_id"?}}}. */
    public static String error(String code, String message, String clientMsgId) {
        return error(code, message, clientMsgId, null);
    }

    /** An {@code error} event; {@code client_msg_id} and {@code room_id} are left out when null. */
    public static String error(String code, String message, String clientMsgId, String roomId) {
        ObjectNode data = WireJson.object().put("code", code).put("message", message);
        RestShapes.putIfPresent(data, "client_msg_id", clientMsgId);
        RestShapes.putIfPresent(data, "room_id", roomId);
        ObjectNode node = typed("error");
        node.set("data", data);
        return WireJson.text(node);
    }

    /** The answer to a {@code send_message} that carried a client id, once per such message: written directly. */
    public static String sent(Message m, boolean duplicate) {
        return WireJson.object(json -> {
            json.writeStringField("type", "message.sent");
            json.writeStringField("room_id", m.roomId());
            json.writeStringField("client_msg_id", m.clientMsgId());
            json.writeStringField("message_id", m.id());
            json.writeNumberField("seq", m.seq());
            json.writeStringField("created_at", RestShapes.time(m.createdAt()));
            if (duplicate) {
                json.writeBooleanField("duplicate", true);
            }
        });
    }

    public static String resumeDone(String roomId, long lastSeq, boolean complete) {
        return WireJson.text(typed("resume.done").put("room_id", roomId).put("last_seq", lastSeq)
                .put("complete", complete));
    }

    public static String pong() {
        return WireJson.text(typed("pong"));
    }

    public static String authExpired() {
        return WireJson.text(typed("auth.expired"));
    }

    /** {@code exp} in unix seconds, or null for a token without expiry. */
    public static String authRefreshed(Long exp) {
        ObjectNode node = typed("auth.refreshed");
        if (exp == null) {
            node.putNull("exp");
        } else {
            node.put("exp", exp);
        }
        return WireJson.text(node);
    }

    public static String shutdown(long reconnectAfterMs) {
        return WireJson.text(typed("server.shutdown").put("reconnect_after_ms", reconnectAfterMs));
    }

    private static ObjectNode typed(String type) {
        return WireJson.object().put("type", type);
    }
}
