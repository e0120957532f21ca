package io.chatapi.domain;

import java.time.Instant;

/**
 * A stored message. {@code meta}, {@code editedAt} and {@code clientMsgId} are null when absent.
 */
public record Message(String id, String roomId, String senderId, long seq, String content, String meta,
                      Instant createdAt, Instant editedAt, String clientMsgId) {

    /**
     * What is left of a deleted message for a repeat of its client id: its id, seq and time, and no text (empty
     * content, no meta).
     */
    public static Message deleted(String id, String roomId, String senderId, long seq, Instant createdAt,
                                  String clientMsgId) {
        return new Message(id, roomId, senderId, seq, "", null, createdAt, null, clientMsgId);
    }

    /** True for messages the server wrote itself (handoff markers). */
    public boolean fromSystem() {
        return Principal.SYSTEM.equals(senderId);
    }

    public Message edited(String newContent, Instant at) {
        return new Message(id, roomId, senderId, seq, newContent, meta, createdAt, at, clientMsgId);
    }
}
