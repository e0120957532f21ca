package io.chatapi.application.service;

import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what the bot pipeline was told, as {@code "event room user"} lines; streams nothing. */
final class BotRepliesTestDouble implements BotReplies {
    final List<String> told = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(Room room, Message message) {
        told.add("message " + room.id() + " " + message.senderId());
    }

    @Override
    public Hold handingToHuman(String roomId) {
        told.add("handoff " + roomId);
        return () -> told.add("handoff stored " + roomId);
    }

    @Override
    public void onMemberAdded(String roomId, String userId) {
        told.add("added " + roomId + " " + userId);
    }

    @Override
    public void onMemberRemoved(String roomId, String userId) {
        told.add("removed " + roomId + " " + userId);
    }

    @Override
    public void onMessageDeleted(String roomId, String messageId) {
        told.add("message deleted " + roomId + " " + messageId);
    }

    @Override
    public void onBotDeleted(String botId) {
        told.add("deleted " + botId);
    }

    @Override
    public void shutdown(Instant deadline) {
        told.add("shutdown");
    }

    @Override
    public void cancel(Principal caller, String roomId, String messageId) {
        told.add("cancel " + roomId + " " + messageId);
    }

    @Override
    public List<ActiveStream> active(Collection<String> roomIds) {
        return List.of();
    }

    @Override
    public boolean anyActive() {
        return false;
    }
}
