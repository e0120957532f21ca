package io.chatapi.application.fake;

import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** Messages in memory, with the per-room seq and the plan's queue rows written atomically. Thread-safe. */
public final class InMemoryMessageStore implements MessageStore {
    private final InMemoryData data;

    public InMemoryMessageStore(InMemoryData data) {
        this.data = data;
    }

    @Override
    public Appended append(MessageDraft draft, DeliveryPlan plan) {
        synchronized (data) {
            data.check();
            if (draft.clientMsgId() != null) {
                Optional<Message> original = byClientId(draft.roomId(), draft.senderId(), draft.clientMsgId());
                if (original.isPresent()) {
                    return new Appended(original.get(), true);
                }
            }
            Room room = data.rooms.get(draft.roomId());
            if (room == null) {
                throw ChatException.notFound("room not found");
            }
            long seq = room.lastSeq() + 1;
            Message stored = new Message(draft.id(), draft.roomId(), draft.senderId(), seq, draft.content(),
                    draft.meta(), draft.createdAt(), null, draft.clientMsgId());
            DeliveryPlan.Deliveries deliveries = plan.plan(stored);
            data.rooms.put(room.id(), new Room(room.id(), room.type(), room.name(), room.metadata(), seq,
                    room.createdAt(), room.handoff()));
            roomMessages(draft.roomId()).put(seq, stored);
            deliveries.offlineRecipients().forEach(user -> data.queueOffline(user, stored));
            for (OutboxItem item : deliveries.webhooks()) {
                data.queueWebhook(item, stored.createdAt(), stored.createdAt());
            }
            return new Appended(stored, false);
        }
    }

    @Override
    public Optional<Message> find(String roomId, String messageId) {
        synchronized (data) {
            data.check();
            return roomMessages(roomId).values().stream().filter(m -> m.id().equals(messageId)).findFirst();
        }
    }

    @Override
    public Optional<Message> findByClientId(String roomId, String senderId, String clientMsgId) {
        synchronized (data) {
            data.check();
            return byClientId(roomId, senderId, clientMsgId);
        }
    }

    @Override
    public List<Message> after(String roomId, long afterSeq, int limit) {
        synchronized (data) {
            data.check();
            return roomMessages(roomId).tailMap(afterSeq, false).values().stream().limit(Math.max(limit, 0))
                    .toList();
        }
    }

    @Override
    public List<Message> window(String roomId, long uptoSeq, int limit) {
        synchronized (data) {
            data.check();
            List<Message> newestFirst = roomMessages(roomId).headMap(uptoSeq, true).descendingMap().values().stream()
                    .filter(m -> !m.fromSystem()).limit(Math.max(limit, 0)).toList();
            return new ArrayList<>(newestFirst).reversed();
        }
    }

    @Override
    public Optional<Message> edit(String roomId, String messageId, String content, Instant editedAt) {
        synchronized (data) {
            data.check();
            Optional<Message> edited = find(roomId, messageId).map(m -> m.edited(content, editedAt));
            edited.ifPresent(m -> roomMessages(roomId).put(m.seq(), m));
            return edited;
        }
    }

    /**
     * Deletes a message, its queued offline deliveries and its offline notifications not yet sent; the room's seq
     * counter is left as it is.
     */
    @Override
    public boolean delete(String roomId, String messageId) {
        synchronized (data) {
            data.check();
            Optional<Message> found = find(roomId, messageId);
            found.ifPresent(m -> {
                if (m.clientMsgId() != null) {
                    data.deletedClientIds.putIfAbsent(clientKey(roomId, m.senderId(), m.clientMsgId()),
                            Message.deleted(m.id(), roomId, m.senderId(), m.seq(), m.createdAt(), m.clientMsgId()));
                }
                roomMessages(roomId).remove(m.seq());
                data.pending.values().removeIf(p -> p.messageId().equals(messageId) && p.roomId().equals(roomId));
                data.outbox.values().removeIf(e -> messageId.equals(e.item().messageId())
                        && roomId.equals(e.item().roomId()) && OutboxItem.MESSAGE_OFFLINE.equals(e.item().kind()));
            });
            return found.isPresent();
        }
    }

    private TreeMap<Long, Message> roomMessages(String roomId) {
        return data.messages.computeIfAbsent(roomId, id -> new TreeMap<>());
    }

    private Optional<Message> byClientId(String roomId, String senderId, String clientMsgId) {
        Optional<Message> stored = roomMessages(roomId).values().stream()
                .filter(m -> m.senderId().equals(senderId) && Objects.equals(m.clientMsgId(), clientMsgId))
                .findFirst();
        return stored.isPresent() ? stored
                : Optional.ofNullable(data.deletedClientIds.get(clientKey(roomId, senderId, clientMsgId)));
    }

    private static List<String> clientKey(String roomId, String senderId, String clientMsgId) {
        return List.of(roomId, senderId, clientMsgId);
    }
}
