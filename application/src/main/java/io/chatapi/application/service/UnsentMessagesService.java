package io.chatapi.application.service;

import io.chatapi.application.port.in.UnsentMessagesUseCase;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.OwedMessage;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Queues for offline delivery the messages a closed connection never wrote to its socket, as
 * {@link OfflineDeliveries} queues a member who had no connection when the message was committed: an entry and,
 * with a webhook, a {@code message.offline} notification. Whether the user had another connection open (which was
 * sent them live) is the transport's to judge, when the connection ended: a connection opened since never got
 * them. Messages deleted meanwhile, in rooms the user has left, or already queued for the user are skipped.
 * Thread-safe.
 */
public final class UnsentMessagesService implements UnsentMessagesUseCase {
    private static final System.Logger LOG = System.getLogger(UnsentMessagesService.class.getName());
    private static final Comparator<UnsentMessage> IN_ROOM_ORDER =
            Comparator.comparing(UnsentMessage::roomId).thenComparingLong(UnsentMessage::seq);

    private final RoomStore rooms;
    private final MessageStore messages;
    private final OfflineDeliveries offline;

    public UnsentMessagesService(RoomStore rooms, MessageStore messages, OfflineDeliveries offline) {
        this.rooms = rooms;
        this.messages = messages;
        this.offline = offline;
    }

    @Override
    public void unsent(String userId, List<UnsentMessage> unsent) {
        if (unsent.isEmpty()) {
            return;
        }
        try {
            offline.queue(owed(userId, unsent.stream().distinct().sorted(IN_ROOM_ORDER).toList()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not queue {0} messages a closed connection of {1} never"
                    + " sent: {2}", unsent.size(), userId, e.toString());
        }
    }

    private List<OwedMessage> owed(String userId, List<UnsentMessage> unsent) {
        String roomId = null;
        Optional<Room> room = Optional.empty();
        List<String> recipient = List.of(userId);
        List<OwedMessage> owed = new ArrayList<>(unsent.size());
        for (UnsentMessage message : unsent) {
            if (!message.roomId().equals(roomId)) {
                roomId = message.roomId();
                room = rooms.member(roomId, userId).isPresent() ? rooms.findForChecks(roomId) : Optional.empty();
            }
            if (room.isEmpty()) {
                continue; // the room is gone, or the user left it
            }
            Optional<Message> stored = messages.find(roomId, message.messageId());
            if (stored.isPresent()) {
                owed.add(new OwedMessage(stored.get(), offline.deliveries(room.get(), recipient, stored.get())));
            }
        }
        return owed;
    }
}
