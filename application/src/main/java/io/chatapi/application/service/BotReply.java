package io.chatapi.application.service;

import io.chatapi.application.port.in.StreamsUseCase.ActiveStream;
import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.domain.Message;
import io.chatapi.domain.Utf16;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One bot's reply to one trigger message: its cancel signal, the text published so far, its audience and its
 * stream events. Text is appended and published under the same lock that {@link #snapshot()} takes, so a snapshot
 * holds exactly the deltas published before it. The audience follows the room's members: a user who leaves gets
 * no further event, and a user who joins while the reply streams first gets {@code message.stream.start} and one
 * delta with all the text so far (offset 0), published under that lock too, so it comes before any live delta
 * they get. Thread-safe.
 */
final class BotReply {
    /**
     * Why and with what text a reply ends; {@code cancelReason} is null when nobody cancelled it, and
     * {@code discard} says that nothing may be stored (its bot was deleted).
     */
    record Ending(String cancelReason, String text, boolean discard) {
    }

    /**
     * The longest reply text kept, in UTF-16 code units: a provider that streams on past it (ignoring
     * {@code max_tokens}, or a bot without one) is stopped there, and the reply ends as {@code length}, so one
     * reply cannot fill the server's memory.
     */
    static final int MAX_TEXT_CHARS = 1_000_000;
    /** The cancel reason of a reply stopped at {@link #MAX_TEXT_CHARS}; it ends like a model's token limit. */
    static final String LENGTH = "length";

    final String roomId;
    final String botId;
    final String messageId;
    final Message trigger;
    /**
     * When the stop that kept it came, for a reply run again at a start because a graceful stop cut it; null for
     * any other. A stop that cuts such a reply once more, after it started, does not keep it again.
     */
    final Instant owedSince;
    final Cancellation cancellation = new Cancellation();
    private final EventPublisher publisher;
    private final StringBuilder text = new StringBuilder();
    /** A high surrogate that ended the last chunk, held back until the chunk with its low surrogate; 0 if none. */
    private char heldHigh;
    /** Who gets the stream: an unmodifiable, ordered set, replaced (never changed) when the audience changes. */
    private Set<String> recipients;
    /** The last membership change heard per user while the reply lives: true joined, false left. */
    private final Map<String, Boolean> changes = new HashMap<>();
    private String cancelReason;
    private boolean discard;
    private boolean started;
    private boolean finishing;
    private boolean storing;
    private boolean endQueued;
    private boolean terminated;

    BotReply(String roomId, String botId, String messageId, Message trigger, Instant owedSince, List<String> recipients,
             EventPublisher publisher) {
        this.roomId = roomId;
        this.botId = botId;
        this.messageId = messageId;
        this.trigger = trigger;
        this.owedSince = owedSince;
        this.recipients = frozen(new LinkedHashSet<>(recipients));
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

    /**
     * Its bot was deleted: the reply stops with {@code reason} and nothing of it is stored. Returns true when a
     * store had already begun; the caller then waits for the reply's end.
     */
    boolean discard(String reason) {
        boolean storeBegun;
        synchronized (this) {
            discard = true;
            if (cancelReason == null && !terminated) {
                cancelReason = reason;
            }
            storeBegun = storing && !terminated;
        }
        cancellation.cancel();
        return storeBegun;
    }

    /**
     * Sets who gets the stream, from the room's human members read after the reply was registered: the
     * membership changes heard since then are applied on top, so a read that missed one does not undo it.
     */
    synchronized void audience(Collection<String> humans) {
        Set<String> all = new LinkedHashSet<>(humans);
        changes.forEach((user, joined) -> {
            if (joined) {
                all.add(user);
            } else {
                all.remove(user);
            }
        });
        recipients = frozen(all);
    }

    /** A user joined the room: from now on they get the stream, starting with a catch-up when it streams. */
    synchronized void memberAdded(String userId) {
        changes.put(userId, true);
        join(userId);
    }

    /** A user left the room: they get no further event of this reply. */
    synchronized void memberRemoved(String userId) {
        changes.put(userId, false);
        if (recipients.contains(userId)) {
            Set<String> rest = new LinkedHashSet<>(recipients);
            rest.remove(userId);
            recipients = frozen(rest);
        }
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
     * character, and a surrogate with no partner becomes U+FFFD; the text and the offsets count only what was
     * published. Text past {@link #MAX_TEXT_CHARS} is
     * dropped and the reply stopped, to end as {@code length}.
     */
    void append(String chunk) {
        if (appendCapped(chunk)) {
            cancellation.cancel();
        }
    }

    /** Appends and publishes; true when the text reached {@link #MAX_TEXT_CHARS} and the LLM call must stop. */
    private synchronized boolean appendCapped(String chunk) {
        if (!started || cancelReason != null || finishing || chunk == null || chunk.isEmpty()) {
            return false;
        }
        String delta = wellFormedChunk(heldHigh == 0 ? chunk : heldHigh + chunk);
        heldHigh = 0;
        boolean capped = false;
        int room = MAX_TEXT_CHARS - text.length();
        if (delta.length() > room) {
            int cut = room > 0 && Character.isHighSurrogate(delta.charAt(room - 1)) ? room - 1 : room;
            delta = delta.substring(0, cut);
            cancelReason = LENGTH;
            capped = true;
        } else {
            char last = delta.charAt(delta.length() - 1);
            if (Character.isHighSurrogate(last)) {
                heldHigh = last;
                delta = delta.substring(0, delta.length() - 1);
            }
        }
        if (!delta.isEmpty()) {
            int offset = text.length();
            text.append(delta);
            publisher.publish(recipients, new ChatEvent.StreamDelta(roomId, messageId, delta, offset));
        }
        return capped;
    }

    /**
     * A chunk of streamed text made well-formed as {@link Utf16#wellFormed} does, except that a high surrogate that ends
     * it is kept, for the next chunk may begin with its partner.
     */
    private static String wellFormedChunk(String chunk) {
        int last = chunk.length() - 1;
        if (last >= 0 && Character.isHighSurrogate(chunk.charAt(last))) {
            return Utf16.wellFormed(chunk.substring(0, last)) + chunk.charAt(last);
        }
        return Utf16.wellFormed(chunk);
    }

    /**
     * Stops taking text and cancel requests; returns how the reply ends. When the provider finished its answer
     * ({@code answered}), a first half of a surrogate pair still held back had no partner: it is published and kept
     * as U+FFFD, as one inside the text is. A reply cut short (a cancel, an error, a time-out) drops it: its partner
     * may have been on its way.
     */
    synchronized Ending finishing(boolean answered) {
        if (heldHigh != 0 && answered && started && cancelReason == null && !finishing) {
            int offset = text.length();
            text.append('\uFFFD');
            publisher.publish(recipients, new ChatEvent.StreamDelta(roomId, messageId, "\uFFFD", offset));
        }
        heldHigh = 0;
        finishing = true;
        return new Ending(cancelReason, text.toString(), discard);
    }

    /** Marks the text as being stored; false (store nothing) when the reply was discarded or has already ended. */
    synchronized boolean beginStore() {
        if (discard || terminated) {
            return false;
        }
        storing = true;
        return true;
    }

    /**
     * Publishes the one terminal event of a started reply; false when it was not started or already ended.
     * {@code humans} are the room's human members now: one who is not yet in the audience (added by a path that
     * did not report it, or in a race with the report) first gets the catch-up, unless they were heard leaving.
     */
    synchronized boolean terminate(ChatEvent terminal, Collection<String> humans) {
        if (!started || terminated) {
            return false;
        }
        for (String user : humans) {
            if (!Boolean.FALSE.equals(changes.get(user))) {
                join(user);
            }
        }
        return terminate(terminal);
    }

    /** Publishes the one terminal event of a started reply; false when it was not started or already ended. */
    synchronized boolean terminate(ChatEvent terminal) {
        if (!started || terminated) {
            return false;
        }
        terminated = true;
        publisher.publish(recipients, terminal);
        notifyAll();
        return true;
    }

    /**
     * Ends the reply from outside its own task, because it did not stop in time; false when it is storing its
     * text (it ends on its own right after) or has no stream to end.
     */
    synchronized boolean abandon(ChatEvent terminal) {
        return !storing && terminate(terminal);
    }

    /**
     * Waits until this reply has no stream open: ended, or never started (a cancelled reply never starts later).
     * False when {@code timeout} passed first or the thread was interrupted.
     */
    synchronized boolean awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (started && !terminated) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    synchronized boolean open() {
        return started && !terminated;
    }

    /** The text is stored, and the end waits for the room's earlier messages to go out: it closes the stream. */
    synchronized void endQueued() {
        endQueued = true;
    }

    /** Whether its start went out: from then on its text may have reached the room. */
    synchronized boolean started() {
        return started;
    }

    /** True while the stream is open and no stored end is queued to close it. */
    synchronized boolean openWithoutEnd() {
        return open() && !endQueued;
    }

    /** The text so far while the reply streams; empty before its start and after its end. */
    synchronized Optional<ActiveStream> snapshot() {
        return open() ? Optional.of(new ActiveStream(roomId, messageId, botId, text.toString())) : Optional.empty();
    }

    /** Adds a user to the audience; when the reply streams, they first get its start and all the text so far. */
    private void join(String userId) {
        if (recipients.contains(userId)) {
            return;
        }
        Set<String> more = new LinkedHashSet<>(recipients);
        more.add(userId);
        recipients = frozen(more);
        if (!started || terminated) {
            return;
        }
        List<String> one = List.of(userId);
        publisher.publish(one, new ChatEvent.StreamStart(roomId, messageId, botId));
        if (!text.isEmpty()) {
            publisher.publish(one, new ChatEvent.StreamDelta(roomId, messageId, text.toString(), 0));
        }
    }

    private static Set<String> frozen(Set<String> users) {
        return Collections.unmodifiableSet(users);
    }
}
