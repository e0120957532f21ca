package io.chatapi.application.service;

import io.chatapi.application.port.in.StreamsUseCase;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;

/**
 * The bot pipeline as the other services see it. Every method returns quickly: replies run on the
 * pipeline's own bounded executor, never on the caller's thread.
 */
public interface BotReplies extends StreamsUseCase {
    /**
     * A message was stored in a room: each bot member (other than the sender) replies unless the room is
     * handed to a human, the sender is a bot, or the message is a system marker. A newer message
     * supersedes the reply a bot is streaming in that room.
     */
    void onMessage(Room room, Message message);

    /** The room went to a human: every reply streaming in it ends with {@code handoff}. */
    void onHandedToHuman(String roomId);

    /**
     * A member left a room: when it is a bot, its reply streaming there ends as a {@code stream.cancel} ends it
     * ({@code cancelled}), and a reply not yet started is dropped.
     */
    void onMemberRemoved(String roomId, String userId);

    /** The server stops: every reply streaming ends ({@code shutdown}); waits at most until the deadline. */
    void shutdown(java.time.Instant deadline);
}
