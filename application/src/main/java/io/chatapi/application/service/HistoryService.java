package io.chatapi.application.service;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.port.in.HistoryUseCase;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import java.util.ArrayList;
import java.util.List;

/** History pages and resume replays. */
public final class HistoryService implements HistoryUseCase {
    private static final System.Logger LOG = System.getLogger(HistoryService.class.getName());
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;
    /**
     * The most message text (content and meta) one room's replay carries, in UTF-16 code units, besides
     * {@code RESUME_MAX_MESSAGES}: a replay is built in memory and queued to the socket at once, and after a restart
     * every client resumes within seconds; past it the replay stops early with {@code complete:false} and the
     * client pages with REST. The first missed message is always replayed, whatever its size.
     */
    static final long MAX_REPLAY_CHARS = 1_000_000;
    /** Messages read per query while a replay is built. */
    private static final int REPLAY_PAGE = 100;

    private final RoomStore rooms;
    private final MessageStore messages;
    private final DeliveryStore deliveries;
    private final RoomAccess access;
    private final ChatSettings settings;

    public HistoryService(RoomStore rooms, MessageStore messages, DeliveryStore deliveries, ChatSettings settings) {
        this.rooms = rooms;
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
        List<Message> missed = new ArrayList<>();
        boolean complete = true;
        long chars = 0;
        long after = lastSeq;
        reading:
        while (true) {
            int want = (int) Math.min(REPLAY_PAGE, (long) max + 1 - missed.size()); // max may be MAX_VALUE
            List<Message> page = messages.after(roomId, after, want);
            for (Message message : page) {
                long length = textLength(message);
                if (missed.size() == max || !missed.isEmpty() && chars + length > MAX_REPLAY_CHARS) {
                    complete = false;
                    break reading;
                }
                missed.add(message);
                chars += length;
                after = message.seq();
            }
            if (page.size() < want) {
                break;
            }
        }
        long replayedUpTo = missed.isEmpty() ? lastSeq : missed.get(missed.size() - 1).seq();
        try {
            // The client holds everything up to its last_seq and gets the replayed rest now, as after an ack; after
            // an incomplete replay it pages the rest with REST, so the offline queue does not send those again.
            long clearUpTo = complete ? replayedUpTo
                    : Math.max(replayedUpTo, rooms.find(roomId).map(Room::lastSeq).orElse(replayedUpTo));
            if (clearUpTo > 0) {
                deliveries.clearUpTo(caller.userId(), roomId, clearUpTo);
            }
        } catch (StoreUnavailableException e) {
            // Housekeeping only: a database that takes no write (full disk, read-only) still serves the replay; the
            // queued entries stay, and a later ack or resume clears them.
            LOG.log(System.Logger.Level.DEBUG, "queued deliveries not cleared after a resume", e);
        }
        return new Replay(roomId, List.copyOf(missed), replayedUpTo, complete);
    }

    /**
     * What a message weighs in a replay: its content and its meta (a row stored before meta was bounded may hold
     * megabytes of it).
     */
    private static long textLength(Message message) {
        return message.content().length() + (message.meta() == null ? 0L : message.meta().length());
    }
}
