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

    /**
     * The room is being handed to a human: until the returned hold is closed no bot reply starts in it, and every
     * reply streaming in it ends with {@code handoff}. Waits (a few seconds at most) until they have ended, so
     * that the text they store comes before the handoff's marker in the room, and their ends before its events.
     * The caller stores the handoff under the hold; once it is stored, the room's state keeps the bots silent.
     */
    Hold handingToHuman(String roomId);

    /** Released by {@link #close()}. */
    interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * A human member joined a room: from now on they get the stream events of the replies in it. For a reply that
     * streams, their connections first get its {@code message.stream.start} and one delta with all the text so
     * far (offset 0), then its live deltas and its one {@code end} or {@code error}.
     */
    void onMemberAdded(String roomId, String userId);

    /**
     * A member left a room: when it is a bot, its reply streaming there ends as a {@code stream.cancel} ends it
     * ({@code cancelled}), and a reply not yet started is dropped; any other user gets no further stream event of
     * the replies in that room.
     */
    void onMemberRemoved(String roomId, String userId);

    /**
     * A message was deleted: a reply to it that has not started never starts, so what its sender took back does
     * not go to the LLM, and one streaming ends with {@code message.stream.error} {@code cancelled} and stores
     * nothing.
     */
    void onMessageDeleted(String roomId, String messageId);

    /**
     * A bot was deleted (its memberships with it): its replies end with {@code message.stream.error}
     * {@code cancelled}, replies not yet started are dropped, and nothing of them is stored. When a reply was
     * already being stored, waits (a few seconds at most) until it has ended, so that no message of the bot is
     * stored after this returns.
     */
    void onBotDeleted(String botId);

    /**
     * The server stops: every reply streaming ends ({@code shutdown}); waits until the deadline at most, and then
     * for replies already storing their text. The replies it cuts short or keeps from starting are owed, to run
     * again after the next start.
     */
    void shutdown(java.time.Instant deadline);
}
