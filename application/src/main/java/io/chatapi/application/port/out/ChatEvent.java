package io.chatapi.application.port.out;

import io.chatapi.domain.Handoff;
import io.chatapi.domain.Message;

/** Everything the server tells connected clients; transports turn each into one wire frame. */
public sealed interface ChatEvent {
    /** The room the event belongs to, or null for events that belong to none (presence). */
    String roomId();

    /** A new message; {@code replay} marks re-sent history. */
    record MessageCreated(Message message, boolean replay) implements ChatEvent {
        public String roomId() {
            return message.roomId();
        }
    }

    record MessageEdited(Message message) implements ChatEvent {
        public String roomId() {
            return message.roomId();
        }
    }

    record MessageDeleted(String roomId, String messageId, long seq) implements ChatEvent {
    }

    record AckReceived(String roomId, long seq, String userId) implements ChatEvent {
    }

    record Typing(String roomId, String userId, boolean start) implements ChatEvent {
    }

    record PresenceUpdate(String userId, boolean online, long epochSeconds) implements ChatEvent {
        public String roomId() {
            return null;
        }
    }

    record StreamStart(String roomId, String messageId, String senderId) implements ChatEvent {
    }

    /** A piece of a bot reply; {@code offset} is its position in the reply in UTF-16 code units. */
    record StreamDelta(String roomId, String messageId, String delta, int offset) implements ChatEvent {
    }

    record StreamEnd(String roomId, String messageId, String senderId, String content, long seq,
                     String finishReason) implements ChatEvent {
    }

    record StreamError(String roomId, String messageId, String reason) implements ChatEvent {
    }

    record RoomHandoff(String roomId, Handoff handoff) implements ChatEvent {
    }
}
