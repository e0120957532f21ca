package io.chatapi.application.service;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.port.in.HistoryUseCase;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import java.util.List;

/** History pages and resume replays. */
public final class HistoryService implements HistoryUseCase {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;

    private final MessageStore messages;
    private final DeliveryStore deliveries;
    private final RoomAccess access;
    private final ChatSettings settings;

    public HistoryService(RoomStore rooms, MessageStore messages, DeliveryStore deliveries, ChatSettings settings) {
        this.messages = messages;
        this.deliveries = deliveries;
        this.access = new RoomAccess(rooms);
        this.settings = settings;
    }

    @Override
    public List<Message> history(Principal caller, String roomId, long afterSeq, int limit) {
        access.usable(caller, roomId);
        int clamped = limit < 1 ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT);
        return messages.after(roomId, Math.max(0, afterSeq), clamped);
    }

    @Override
    public Replay resume(Principal caller, String roomId, long lastSeq) {
        if (lastSeq < 0) {
            throw ChatException.invalid("last_seq must be 0 or more");
        }
        access.usable(caller, roomId);
        int max = settings.resumeMaxMessages();
        List<Message> missed = messages.after(roomId, lastSeq, max + 1);
        boolean complete = missed.size() <= max;
        if (!complete) {
            missed = missed.subList(0, max);
        }
        long replayedUpTo = missed.isEmpty() ? lastSeq : missed.get(missed.size() - 1).seq();
        if (replayedUpTo > 0) {
            // The client holds everything up to its last_seq and gets the replayed rest now, as after an ack.
            deliveries.clearUpTo(caller.userId(), roomId, replayedUpTo);
        }
        return new Replay(roomId, List.copyOf(missed), replayedUpTo, complete);
    }
}
