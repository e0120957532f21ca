package io.chatapi.application.service;

import io.chatapi.application.port.in.AckUseCase;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Principal;

/** Read receipts: clears the caller's queued deliveries up to a seq and tells the room. */
public final class AckService implements AckUseCase {
    private final RoomStore rooms;
    private final RoomAccess access;
    private final DeliveryStore deliveries;
    private final EventPublisher publisher;

    public AckService(RoomStore rooms, DeliveryStore deliveries, EventPublisher publisher) {
        this.rooms = rooms;
        this.access = new RoomAccess(rooms);
        this.deliveries = deliveries;
        this.publisher = publisher;
    }

    @Override
    public void ack(Principal caller, String roomId, long seq) {
        if (seq < 0) {
            throw ChatException.invalid("seq must be 0 or more");
        }
        access.usable(caller, roomId);
        deliveries.clearUpTo(caller.userId(), roomId, seq);
        publisher.publish(MessageText.userIds(rooms.members(roomId)),
                new ChatEvent.AckReceived(roomId, seq, caller.userId()));
    }
}
