package io.chatapi.application.port.out;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import io.chatapi.domain.Message;

/**
 * Messages, with the per-room sequence. Writes are durable when a method returns (group commit is
 * allowed: the caller waits for the commit that holds its write); may throw
 * {@link StoreUnavailableException}. Thread-safe.
 */
public interface MessageStore {
    /**
     * Stores a message with the next seq of its room, atomically with the deliveries the plan asks for.
     * When the draft has a client id already used by the same sender in the same room, stores nothing and
     * returns the original with {@code duplicate=true} (the plan is not run). Throws
     * {@link io.chatapi.domain.ChatException} not_found when the room does not exist.
     */
    Appended append(MessageDraft draft, DeliveryPlan plan);

    Optional<Message> find(String roomId, String messageId);

    Optional<Message> findByClientId(String roomId, String senderId, String clientMsgId);

    /** Messages with {@code seq > afterSeq}, ascending, at most {@code limit}. */
    List<Message> after(String roomId, long afterSeq, int limit);

    /**
     * A bot's history: the last {@code limit} messages with {@code seq <= uptoSeq} that are not system messages
     * (sender {@code system}, such as handoff markers), ascending; markers never take a place in it.
     */
    List<Message> window(String roomId, long uptoSeq, int limit);

    /** Replaces the content; empty when no such message. */
    Optional<Message> edit(String roomId, String messageId, String content, Instant editedAt);

    /**
     * Deletes a message (its seq is never reused), in the same transaction its queued offline deliveries and its
     * {@code message.offline} notifications not yet sent; false when no such message.
     */
    boolean delete(String roomId, String messageId);
}
