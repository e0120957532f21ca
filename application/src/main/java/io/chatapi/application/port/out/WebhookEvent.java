package io.chatapi.application.port.out;

import io.chatapi.domain.Handoff;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;

/** The bodies the server POSTs to the application's webhook. */
public sealed interface WebhookEvent {
    /** {@code message.offline}: tell the application a member missed a message. */
    record MessageOffline(Room room, String recipientId, Message message) implements WebhookEvent {
    }

    /** {@code room.handoff}: the room changed hands. */
    record RoomHandoff(String roomId, Handoff handoff) implements WebhookEvent {
    }
}
