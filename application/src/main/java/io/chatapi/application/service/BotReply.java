package io.chatapi.application.service;

import io.chatapi.application.port.in.StreamsUseCase.ActiveStream;
import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.domain.Message;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One bot's reply to one trigger message: its cancel signal, the text published so far and its stream
 * events. Text is appended and published under the same lock that {@link #snapshot()} takes, so a snapshot
 * holds exactly the deltas published before it. Thread-safe.
 */
final class BotReply {
    /** Why and with what text a reply ends; {@code cancelReason} is null when nobody cancelled it. */
    record Ending(String cancelReason, String text) {
    }

    final String roomId;
    final String botId;
    final String messageId;
    final Message trigger;
    final Cancellation cancellation = new Cancellation();
    private final EventPublisher publisher;
    private final StringBuilder text = new StringBuilder();
    /** A high surrogate that ended the last chunk, held back until the chunk with its low surrogate; 0 if none. */
    private char heldHigh;
    private List<String> recipients;
    private String cancelReason;
    private boolean started;
    private boolean finishing;
    private boolean terminated;

    BotReply(String roomId, String botId, String messageId, Message trigger, List<String> recipients,
             EventPublisher publisher) {
        this.roomId = roomId;
        this.botId = botId;
        this.messageId = messageId;
        this.trigger = trigger;
        this.recipients = List.copyOf(recipients);
        this.publisher = publisher;
    }

    /** Asks the reply to stop; false when it was already cancelled or is already ending on its own. */
    boolean cancel(String reason) {
        synchronized (this) {
            if (cancelReason != null || finishing || terminated) {
                return false;
            }
            cancelReason = reason;
        }
        cancellation.cancel();
        return true;
    }

    /** Publishes {@code message.stream.start}; false (nothing published) when the reply was cancelled before. */
    synchronized boolean start() {
        if (cancelReason != null) {
            return false;
        }
        started = true;
        publisher.publish(recipients, new ChatEvent.StreamStart(roomId, messageId, botId));
        return true;
    }

    /**
     * Appends a chunk and publishes it as a delta; ignored once the reply is cancelled or ending. Called by the
     * LLM client, possibly on its I/O thread: it only appends and queues frames, and never blocks. A chunk that
     * ends with the first half of a surrogate pair keeps that half back for the next chunk, so no delta splits a
     * character; the text and the offsets count only what was published.
     */
    synchronized void append(String chunk) {
        if (!started || cancelReason != null || finishing || chunk == null || chunk.isEmpty()) {
            return;
        }
        String delta = heldHigh == 0 ? chunk : heldHigh + chunk;
        heldHigh = 0;
        char last = delta.charAt(delta.length() - 1);
        if (Character.isHighSurrogate(last)) {
            heldHigh = last;
            delta = delta.substring(0, delta.length() - 1);
            if (delta.isEmpty()) {
                return;
            }
        }
        int offset = text.length();
        text.append(delta);
        publisher.publish(recipients, new ChatEvent.StreamDelta(roomId, messageId, delta, offset));
    }

    /**
     * Stops taking text and cancel requests; returns how the reply ends. A first half of a surrogate pair still
     * held back is dropped: without its second half it is no character.
     */
    synchronized Ending finishing() {
        finishing = true;
        return new Ending(cancelReason, text.toString());
    }

    /** Adds users who should also get the terminal event (members who joined meanwhile). */
    synchronized void addRecipients(Collection<String> more) {
        Set<String> all = new LinkedHashSet<>(recipients);
        all.addAll(more);
        recipients = List.copyOf(all);
    }

    /** Publishes the one terminal event of a started reply; false when it was not started or already ended. */
    synchronized boolean terminate(ChatEvent terminal) {
        if (!started || terminated) {
            return false;
        }
        terminated = true;
        publisher.publish(recipients, terminal);
        return true;
    }

    synchronized boolean open() {
        return started && !terminated;
    }

    /** The text so far while the reply streams; empty before its start and after its end. */
    synchronized Optional<ActiveStream> snapshot() {
        return open() ? Optional.of(new ActiveStream(roomId, messageId, botId, text.toString())) : Optional.empty();
    }
}
