package io.chatapi.application.service;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.in.EditMessageUseCase;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;

/**
 * Edits and deletes messages and tells the room. Each is a database write and a frame to every member, like a
 * send, so each user's edits and deletes are rate limited too: a bucket of their own (a burst of edits does not
 * hold up the user's sends), with the send limit's rate and burst. Admins are not limited here: clearing a
 * flood of messages away is their job. A deleted message's bot replies are dropped ({@link
 * BotReplies#onMessageDeleted}).
 *
 * <p>The change of a message and the publication of its event happen under one lock per message, so racing
 * edits and deletes of a message reach every member in the order of their commits: the last {@code
 * message.edited} a client applies is the stored content, and nothing follows a {@code message.deleted}.
 * Otherwise two requests could commit in one order and publish in the other. The lock is the message's, not
 * the room's, and sends never take it: they are ordered by {@link OrderedRoomEvents} and wait for no edit, and
 * edits of different messages wait for each other only when they share a stripe.
 */
public final class EditMessageService implements EditMessageUseCase {
    private final RoomStore rooms;
    private final MessageStore messages;
    private final RoomAccess access;
    private final EventPublisher publisher;
    private final TimeSource clock;
    private final ChatSettings settings;
    private final UserLimit limit;
    private final BotReplies bots;
    private final LockStripes messageLocks = new LockStripes(64);

    public EditMessageService(RoomStore rooms, MessageStore messages, EventPublisher publisher, TimeSource clock,
                              ChatSettings settings, UserLimit limit, BotReplies bots) {
        this.rooms = rooms;
        this.messages = messages;
        this.access = new RoomAccess(rooms);
        this.publisher = publisher;
        this.clock = clock;
        this.settings = settings;
        this.limit = limit;
        this.bots = bots;
    }

    @Override
    public Message edit(Principal caller, String roomId, String messageId, String content) {
        MessageText.requireContent(content, settings.maxMessageChars());
        Message message = load(caller, roomId, messageId);
        RoomAccess.require(AccessPolicy.canEditMessage(caller, message), "only the sender may edit a message");
        limit.take(caller);
        return messageLocks.locked(new MessageKey(roomId, messageId), () -> {
            Message edited = messages.edit(roomId, messageId, content, clock.now())
                    .orElseThrow(() -> ChatException.notFound("message not found"));
            publisher.publish(MessageText.userIds(rooms.members(roomId)), new ChatEvent.MessageEdited(edited));
            return edited;
        });
    }

    @Override
    public void delete(Principal caller, String roomId, String messageId) {
        Message message = load(caller, roomId, messageId);
        RoomAccess.require(AccessPolicy.canDeleteMessage(caller, message), "only the sender or an admin may delete");
        limit.take(caller);
        messageLocks.locked(new MessageKey(roomId, messageId), () -> {
            if (!messages.delete(roomId, messageId)) {
                throw ChatException.notFound("message not found");
            }
            bots.onMessageDeleted(roomId, messageId);
            publisher.publish(MessageText.userIds(rooms.members(roomId)),
                    new ChatEvent.MessageDeleted(roomId, messageId, message.seq()));
        });
    }

    private Message load(Principal caller, String roomId, String messageId) {
        access.usable(caller, roomId);
        return messages.find(roomId, messageId).orElseThrow(() -> ChatException.notFound("message not found"));
    }

    private record MessageKey(String roomId, String messageId) {
    }
}
