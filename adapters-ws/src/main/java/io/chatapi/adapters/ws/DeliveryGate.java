package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.json.EventFrames;
import io.chatapi.application.port.in.StreamsUseCase.ActiveStream;
import io.chatapi.application.port.out.ChatEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Orders one connection's live events around what it is owed first. From the moment the connection registers,
 * every event is held until the mid-stream catch-up (a {@code message.stream.start} and one delta with all the
 * text so far, at offset 0, per reply streaming in the user's rooms) has been queued; during a {@code resume}, the
 * resumed room's events are held until its replay, {@code resume.done} and catch-up are queued, and {@code message}
 * events at or below the replayed seq are dropped, whether held or live afterwards (a message committed before the
 * replay read it can reach the connection's fan-out only after the replay was queued). For every reply it also
 * tracks how much text the client was given: a delta that starts beyond it is dropped, one that ends within it is
 * dropped, and one that overlaps it is trimmed, so no client sees a delta whose offset lies beyond the text it
 * holds. A {@code message} event (a {@code message} or a bot's {@code message.stream.end}) that a connection was
 * given and cannot queue is told to {@code refused}, so that it can be queued for offline delivery; so are those
 * still held when the connection ends ({@link #drainHeld}). Thread-safe.
 */
final class DeliveryGate {
    /**
     * Where released frames go: one call is one queue item, with the {@code message} events among them; false
     * when the queue is full.
     */
    interface Sink {
        boolean offer(List<String> frames, List<ChatEvent> messages);

        /**
         * As {@link #offer(List, List)}; {@code written} runs once the frames are written to the socket (here: once
         * they are taken, for a sink that cannot tell).
         */
        default boolean offer(List<String> frames, List<ChatEvent> messages, Runnable written) {
            if (offer(frames, messages)) {
                written.run();
                return true;
            }
            return false;
        }

        /** A live reply's delta, which the queue may append to the one before it; false when the queue is full. */
        default boolean offerDelta(ChatEvent.StreamDelta delta, String frame) {
            return offer(List.of(frame), List.of());
        }
    }

    /** An event held back; {@code live} false for a message re-delivered from the offline queue. */
    private record Held(ChatEvent event, String frame, boolean live) {
    }

    private final Sink sink;
    private final Consumer<List<ChatEvent>> refused;
    private final int maxHeld;
    private final Set<String> heldRooms = new HashSet<>();
    private final List<Held> held = new ArrayList<>();
    private final Map<String, Integer> given = new HashMap<>();
    private final Map<String, Long> replayedUpTo = new HashMap<>();
    /**
     * Per room, the seq of the first message (or reply's end) sent live; made at the first one, so an idle socket
     * holds none.
     */
    private Map<String, Long> firstLive;
    private boolean holdAll = true;

    DeliveryGate(Sink sink, int maxHeld, Consumer<List<ChatEvent>> refused) {
        this.sink = sink;
        this.maxHeld = maxHeld;
        this.refused = refused;
    }

    /** Whether the client sees {@code event} as a stored message: a {@code message} or a reply's end. */
    static boolean isMessage(ChatEvent event) {
        return event instanceof ChatEvent.MessageCreated || event instanceof ChatEvent.StreamEnd;
    }

    private static List<ChatEvent> messagesIn(ChatEvent event) {
        return isMessage(event) ? List.of(event) : List.of();
    }

    /** A live event with its encoded frame; false when it can be neither queued nor held (a slow consumer). */
    synchronized boolean deliver(ChatEvent event, String frame) {
        return offer(event, frame, true, null);
    }

    /**
     * A refused re-delivery is not told to {@code refused}: the offline queue keeps its entry when it is refused.
     */
    private boolean offer(ChatEvent event, String frame, boolean live, Runnable written) {
        if (holdAll || (event.roomId() != null && heldRooms.contains(event.roomId()))) {
            if (held.size() >= maxHeld) {
                if (live) {
                    refused(messagesIn(event));
                }
                return false;
            }
            held.add(new Held(event, frame, live));
            if (written != null) {
                written.run(); // held, then released into the queue or told to refused: counted as written
            }
            return true;
        }
        if (event instanceof ChatEvent.StreamDelta d) {
            ChatEvent.StreamDelta passed = passingDelta(d);
            return passed == null || sink.offerDelta(passed, passed == d ? frame : EventFrames.event(passed));
        }
        List<String> out = passing(event, frame, -1, live);
        if (out.isEmpty()) {
            if (written != null) {
                written.run(); // the client has it already
            }
            return true;
        }
        List<ChatEvent> messages = messagesIn(event);
        if (written == null ? sink.offer(out, messages) : sink.offer(out, messages, written)) {
            return true;
        }
        if (live) {
            refused(messages);
        }
        return false;
    }

    private void refused(List<ChatEvent> messages) {
        if (!messages.isEmpty()) {
            refused.accept(messages);
        }
    }

    /** Offers a batch; its messages go to {@code refused} when the queue has no room for it. */
    private boolean offerBatch(List<String> batch, List<ChatEvent> messages) {
        if (batch.isEmpty() || sink.offer(batch, messages)) {
            return true;
        }
        refused(messages);
        return false;
    }

    /** Empties the hold and returns the {@code message} events in it: the connection ended before sending them. */
    synchronized List<ChatEvent> drainHeld() {
        List<ChatEvent> messages = new ArrayList<>(0);
        for (Held h : held) {
            if (isMessage(h.event())) {
                messages.add(h.event());
            }
        }
        held.clear();
        return messages;
    }

    /**
     * A message the offline queue owes the client, re-delivered; {@code written} runs once it is written to the
     * socket (at once when it is not queued but held, or dropped as below). Dropped (and counted as delivered) when the
     * connection was sent it live already, which is so for every seq from the first it was sent live in that room
     * on (live messages and reply ends come in seq order), as when the client connected while the message was being
     * stored.
     */
    synchronized boolean redeliver(ChatEvent.MessageCreated event, String frame, Runnable written) {
        Long first = firstLive == null ? null : firstLive.get(event.message().roomId());
        if (first != null && event.message().seq() >= first) {
            written.run();
            return true;
        }
        return offer(event, frame, false, written);
    }

    /** Ends the initial hold: the catch-up of {@code streams}, then every event held since registration. */
    synchronized boolean opened(List<ActiveStream> streams) {
        List<String> batch = new ArrayList<>();
        catchUp(streams, batch);
        holdAll = false;
        return offerBatch(batch, release(null, -1, batch));
    }

    /** Starts holding a room's live events while its replay is fetched. */
    synchronized void holdRoom(String roomId) {
        heldRooms.add(roomId);
    }

    /**
     * Ends a room's resume: {@code leading} (the replayed messages and {@code resume.done}), the room's catch-up,
     * then its held events, dropping {@code message} events with {@code seq <= lastSeq}. From then on, live
     * {@code message} events of the room up to {@code lastReplayed} (the seq of the last message the replay
     * carried; -1 when it carried none, so that a client's stale {@code last_seq} never hides new messages) are
     * dropped too.
     */
    synchronized boolean resumed(String roomId, List<String> leading, long lastSeq, long lastReplayed,
                                 List<ActiveStream> streams) {
        List<String> batch = new ArrayList<>(leading);
        catchUp(streams, batch);
        heldRooms.remove(roomId);
        if (lastReplayed >= 0) {
            replayedUpTo.merge(roomId, lastReplayed, Math::max);
        }
        return offerBatch(batch, release(roomId, lastSeq, batch));
    }

    /** Ends a room's hold without a replay (the resume was refused): {@code leading}, then the held events. */
    synchronized boolean released(String roomId, List<String> leading) {
        List<String> batch = new ArrayList<>(leading);
        heldRooms.remove(roomId);
        return offerBatch(batch, release(roomId, -1, batch));
    }

    private void catchUp(List<ActiveStream> streams, List<String> batch) {
        for (ActiveStream s : streams) {
            batch.add(EventFrames.event(new ChatEvent.StreamStart(s.roomId(), s.messageId(), s.senderId())));
            if (!s.text().isEmpty()) {
                batch.add(EventFrames.event(new ChatEvent.StreamDelta(s.roomId(), s.messageId(), s.text(), 0)));
            }
            given.merge(s.messageId(), s.text().length(), Math::max);
        }
    }

    /** Moves the frames of the matching held events to {@code batch}; returns the {@code message} events sent. */
    private List<ChatEvent> release(String roomId, long seqFloor, List<String> batch) {
        List<ChatEvent> messages = List.of();
        Iterator<Held> it = held.iterator();
        while (it.hasNext()) {
            Held h = it.next();
            String room = h.event().roomId();
            boolean match = roomId == null ? room == null || !heldRooms.contains(room) : roomId.equals(room);
            if (match) {
                it.remove();
                List<String> frames = passing(h.event(), h.frame(), seqFloor, h.live());
                batch.addAll(frames);
                if (!frames.isEmpty() && isMessage(h.event())) {
                    if (messages.isEmpty()) {
                        messages = new ArrayList<>();
                    }
                    messages.add(h.event());
                }
            }
        }
        return messages;
    }

    /**
     * The frames to send for an event (none to drop it); {@code live} false for a message
     * re-delivered from the offline queue, which does not count as the first of its room sent live. A reply's
     * delta or error the client was never shown the start of is dropped; its end comes as a whole reply instead
     * (start, all its text at offset 0, end): the connection opened as the reply ended, after the catch-up had
     * found it no longer streaming.
     */
    private List<String> passing(ChatEvent event, String frame, long seqFloor, boolean live) {
        return switch (event) {
            case ChatEvent.MessageCreated m -> {
                String room = m.message().roomId();
                if (m.message().seq() <= Math.max(seqFloor, replayedUpTo.getOrDefault(room, -1L))) {
                    yield List.of();
                }
                if (live) {
                    sentLive(room, m.message().seq());
                }
                yield List.of(frame);
            }
            case ChatEvent.StreamStart s -> given.putIfAbsent(s.messageId(), 0) == null ? List.of(frame) : List.of();
            case ChatEvent.StreamDelta d -> {
                ChatEvent.StreamDelta passed = passingDelta(d);
                yield passed == null ? List.of() : List.of(passed == d ? frame : EventFrames.event(passed));
            }
            case ChatEvent.StreamEnd e -> {
                if (live) {
                    sentLive(e.roomId(), e.seq());
                }
                if (given.remove(e.messageId()) != null) {
                    yield List.of(frame);
                }
                String start = EventFrames.event(new ChatEvent.StreamStart(e.roomId(), e.messageId(), e.senderId()));
                yield e.content().isEmpty() ? List.of(start, frame) : List.of(start,
                        EventFrames.event(new ChatEvent.StreamDelta(e.roomId(), e.messageId(), e.content(), 0)), frame);
            }
            case ChatEvent.StreamError e -> given.remove(e.messageId()) == null ? List.of() : List.of(frame);
            default -> List.of(frame);
        };
    }

    /** A stored message of the room, a {@code message} or a reply's end, passed live. */
    private void sentLive(String roomId, long seq) {
        if (firstLive == null) {
            firstLive = new HashMap<>();
        }
        firstLive.putIfAbsent(roomId, seq);
    }

    /** The part of a delta the client has not been given ({@code d} itself when that is all of it), or null. */
    private ChatEvent.StreamDelta passingDelta(ChatEvent.StreamDelta d) {
        Integer held = given.get(d.messageId());
        if (held == null) {
            return null;
        }
        int have = held;
        int end = d.offset() + d.delta().length();
        if (d.offset() > have || end <= have) {
            return null;
        }
        given.put(d.messageId(), end);
        if (d.offset() == have) {
            return d;
        }
        return new ChatEvent.StreamDelta(d.roomId(), d.messageId(), d.delta().substring(have - d.offset()), have);
    }
}
