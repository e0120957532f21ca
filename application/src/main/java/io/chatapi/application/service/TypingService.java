package io.chatapi.application.service;

import io.chatapi.application.port.in.TypingUseCase;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.Principal;

/** Relays typing indicators to the room's members. */
public final class TypingService implements TypingUseCase {
    private final RoomStore rooms;
    private final RoomAccess access;
    private final EventPublisher publisher;

    public TypingService(RoomStore rooms, EventPublisher publisher) {
        this.rooms = rooms;
        this.access = new RoomAccess(rooms);
        this.publisher = publisher;
    }

    @Override
    public void typing(Principal caller, String roomId, boolean start) {
        access.usable(caller, roomId);
        publisher.publish(MessageText.userIds(rooms.members(roomId)),
                new ChatEvent.Typing(roomId, caller.userId(), start));
    }
}
