package io.chatapi.adapters.ws.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.application.port.in.QueryRoomsUseCase.MemberView;
import io.chatapi.application.port.in.QueryRoomsUseCase.RoomView;
import io.chatapi.domain.Bot;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import java.time.Instant;

/** The REST bodies of rooms, messages, members, bots and dead letters; timestamps are RFC 3339 UTC. */
public final class RestShapes {
    private RestShapes() {
    }

    /** A room as GET answers it: with the caller's {@code last_read_seq}. */
    public static ObjectNode room(RoomView view) {
        return room(view.room()).put("last_read_seq", view.lastReadSeq());
    }

    public static ObjectNode room(Room room) {
        ObjectNode node = WireJson.object()
                .put("room_id", room.id())
                .put("type", room.type().wire());
        putIfPresent(node, "name", room.name());
        putIfPresent(node, "metadata", room.metadata());
        node.put("last_seq", room.lastSeq()).put("created_at", time(room.createdAt()));
        node.set("handoff", handoff(room.handoff()));
        return node;
    }

    public static ObjectNode handoff(Handoff handoff) {
        ObjectNode node = WireJson.object().put("state", handoff.state().wire());
        putIfPresent(node, "agent_id", handoff.agentId());
        putIfPresent(node, "reason", handoff.reason());
        return node.put("since", time(handoff.since()));
    }

    public static ObjectNode message(Message message) {
        ObjectNode node = WireJson.object()
                .put("message_id", message.id())
                .put("chatroom_id", message.roomId())
                .put("sender_id", message.senderId())
                .put("seq", message.seq())
                .put("content", message.content());
        putIfPresent(node, "meta", message.meta());
        node.put("created_at", time(message.createdAt()));
        if (message.editedAt() != null) {
            node.put("edited_at", time(message.editedAt()));
        }
        putIfPresent(node, "client_msg_id", message.clientMsgId());
        return node;
    }

    public static ObjectNode member(MemberView view) {
        Member member = view.member();
        return WireJson.object()
                .put("chatroom_id", member.roomId())
                .put("user_id", member.userId())
                .put("role", member.role().wire())
                .put("joined_at", time(member.joinedAt()))
                .put("last_read_seq", view.lastReadSeq());
    }

    public static ObjectNode bot(Bot bot) {
        ObjectNode node = WireJson.object()
                .put("bot_id", bot.id())
                .put("name", bot.name())
                .put("llm_base_url", bot.llmBaseUrl())
                .put("llm_api_key_env", bot.llmApiKeyEnv())
                .put("model", bot.model())
                .put("provider", bot.provider().wire())
                .put("max_context", bot.maxContext());
        if (bot.temperature() != null) {
            node.put("temperature", bot.temperature());
        }
        if (bot.maxTokens() != null) {
            node.put("max_tokens", bot.maxTokens());
        }
        return node.put("created_at", time(bot.createdAt()));
    }

    public static ObjectNode deadLetter(DeadLetter letter) {
        ObjectNode node = WireJson.object()
                .put("id", letter.id())
                .put("kind", letter.kind())
                .put("user_id", letter.userId())
                .put("chatroom_id", letter.roomId())
                .put("message_id", letter.messageId())
                .put("seq", letter.seq())
                .put("attempts", letter.attempts())
                .put("created_at", time(letter.createdAt()))
                .put("last_attempt_at", time(letter.lastAttemptAt()));
        putIfPresent(node, "event", letter.event());
        putIfPresent(node, "webhook_id", letter.webhookId());
        return node;
    }

    /** RFC 3339 in UTC with a {@code Z}; null stays null. */
    public static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(name, value);
        }
    }
}
