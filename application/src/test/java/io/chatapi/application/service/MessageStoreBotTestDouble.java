package io.chatapi.application.service;

import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Messages per room with a seq counter; runs delivery plans and records what they asked for. */
final class MessageStoreBotTestDouble implements MessageStore {
    private final Map<String, List<Message>> rooms = new HashMap<>();
    private final Map<String, Long> seqs = new HashMap<>();
    final Map<String, DeliveryPlan.Deliveries> deliveries = new HashMap<>();
    volatile boolean failAppends;
    /** Told of every message stored with {@link #add}, as the service that stored it would report it. */
    volatile Consumer<Message> added = message -> { };

    /** Stores a message directly, as another service would have. */
    Message add(String roomId, String senderId, String content) {
        Message stored;
        synchronized (this) {
            stored = appendNow(new MessageDraft(Ids.message(), roomId, senderId, content, null, null, Instant.EPOCH),
                    DeliveryPlan.NONE).message();
        }
        added.accept(stored);
        return stored;
    }

    synchronized List<Message> all(String roomId) {
        return List.copyOf(rooms.getOrDefault(roomId, List.of()));
    }

    /** While set, an append (not {@link #add}) first counts down {@code appending} and waits (bounded) until this gate opens. */
    volatile CountDownLatch appendGate;
    final CountDownLatch appending = new CountDownLatch(1);
    /** Runs once an append (not {@link #add}) has committed, before it returns. */
    volatile Runnable afterAppend = () -> { };

    @Override
    public Appended append(MessageDraft draft, DeliveryPlan plan) {
        CountDownLatch gate = appendGate;
        if (gate != null) {
            appending.countDown();
            try {
                if (!gate.await(10, TimeUnit.SECONDS)) {
                    throw new StoreUnavailableException("the append gate never opened", null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreUnavailableException("interrupted", e);
            }
        }
        Appended appended = appendNow(draft, plan);
        afterAppend.run();
        return appended;
    }

    private synchronized Appended appendNow(MessageDraft draft, DeliveryPlan plan) {
        if (failAppends) {
            throw new StoreUnavailableException("disk full", null);
        }
        long seq = seqs.merge(draft.roomId(), 1L, Long::sum);
        Message stored = new Message(draft.id(), draft.roomId(), draft.senderId(), seq, draft.content(), draft.meta(),
                draft.createdAt(), null, draft.clientMsgId());
        rooms.computeIfAbsent(draft.roomId(), k -> new ArrayList<>()).add(stored);
        deliveries.put(stored.id(), plan.plan(stored));
        return new Appended(stored, false);
    }

    @Override
    public synchronized Optional<Message> find(String roomId, String messageId) {
        return all(roomId).stream().filter(m -> m.id().equals(messageId)).findFirst();
    }

    @Override
    public synchronized Optional<Message> findByClientId(String roomId, String senderId, String clientMsgId) {
        return all(roomId).stream()
                .filter(m -> m.senderId().equals(senderId) && clientMsgId.equals(m.clientMsgId())).findFirst();
    }

    @Override
    public synchronized List<Message> after(String roomId, long afterSeq, int limit) {
        return all(roomId).stream().filter(m -> m.seq() > afterSeq).limit(limit).toList();
    }

    @Override
    public synchronized List<Message> window(String roomId, long uptoSeq, int limit) {
        List<Message> upto = all(roomId).stream().filter(m -> m.seq() <= uptoSeq && !m.fromSystem()).toList();
        return upto.subList(Math.max(0, upto.size() - limit), upto.size());
    }

    @Override
    public synchronized Optional<Message> edit(String roomId, String messageId, String content, Instant editedAt) {
        List<Message> list = rooms.getOrDefault(roomId, new ArrayList<>());
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).id().equals(messageId)) {
                list.set(i, list.get(i).edited(content, editedAt));
                return Optional.of(list.get(i));
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized boolean delete(String roomId, String messageId) {
        return rooms.getOrDefault(roomId, new ArrayList<>()).removeIf(m -> m.id().equals(messageId));
    }
}
