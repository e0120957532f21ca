package io.chatapi.application.fake;

import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.DueWebhook;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.ReadPositions;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Message;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The offline queue, webhook outbox and dead letters in memory; same semantics as the SQLite store. Thread-safe. */
public final class InMemoryDeliveryStore implements DeliveryStore, ReadPositions {
    private static final Comparator<PendingDelivery> BY_ROOM_THEN_SEQ = Comparator.comparing(PendingDelivery::roomId)
            .thenComparingLong(PendingDelivery::seq).thenComparingLong(PendingDelivery::id);

    private final InMemoryData data;

    public InMemoryDeliveryStore(InMemoryData data) {
        this.data = data;
    }

    @Override
    public List<PendingDelivery> pending(PendingDelivery after, int limit) {
        synchronized (data) {
            data.check();
            return data.pending.values().stream().sorted(BY_ROOM_THEN_SEQ)
                    .filter(p -> after == null || BY_ROOM_THEN_SEQ.compare(p, after) > 0)
                    .limit(Math.max(limit, 0)).toList();
        }
    }

    @Override
    public List<PendingDelivery> pendingFor(String userId, PendingDelivery after, int limit) {
        synchronized (data) {
            data.check();
            return data.pending.values().stream().filter(p -> p.userId().equals(userId)).sorted(BY_ROOM_THEN_SEQ)
                    .filter(p -> after == null || BY_ROOM_THEN_SEQ.compare(p, after) > 0)
                    .limit(limit).toList();
        }
    }

    @Override
    public void removePending(List<Long> ids) {
        synchronized (data) {
            data.check();
            ids.forEach(data.pending::remove);
        }
    }

    @Override
    public void clearUpTo(String userId, String roomId, long uptoSeq) {
        synchronized (data) {
            data.check();
            data.pending.values().removeIf(p -> p.userId().equals(userId) && p.roomId().equals(roomId)
                    && p.seq() <= uptoSeq);
        }
    }

    @Override
    public boolean acknowledge(String userId, String roomId, long seq) {
        synchronized (data) {
            data.check();
            Map<String, Long> rooms = data.readPositions.computeIfAbsent(userId, k -> new HashMap<>());
            if (rooms.getOrDefault(roomId, -1L) >= seq) {
                return false;
            }
            rooms.put(roomId, seq);
            clearUpTo(userId, roomId, seq);
        }
        return true;
    }

    @Override
    public void queueOffline(Message stored, DeliveryPlan.Deliveries deliveries) {
        synchronized (data) {
            data.check();
            if (!data.messages.getOrDefault(stored.roomId(), new TreeMap<>()).containsKey(stored.seq())) {
                return; // deleted meanwhile
            }
            Set<String> queued = new HashSet<>();
            for (String user : deliveries.offlineRecipients()) {
                boolean member = data.membersOf(stored.roomId()).stream().anyMatch(m -> m.userId().equals(user));
                long acked = data.readPositions.getOrDefault(user, Map.of()).getOrDefault(stored.roomId(), -1L);
                boolean queuedAlready = data.pending.values().stream().anyMatch(p -> p.userId().equals(user)
                        && p.roomId().equals(stored.roomId()) && p.seq() == stored.seq());
                if (member && acked < stored.seq() && !queuedAlready) {
                    data.queueOffline(user, stored);
                    queued.add(user);
                }
            }
            for (OutboxItem item : deliveries.webhooks()) {
                if (queued.contains(item.userId())) {
                    data.queueWebhook(item, stored.createdAt(), stored.createdAt());
                }
            }
        }
    }

    @Override
    public int recordAttempts(List<Long> ids, int maxAttempts, Instant at) {
        synchronized (data) {
            data.check();
            int dead = 0;
            for (long id : ids) {
                PendingDelivery p = data.pending.get(id);
                if (p == null) {
                    continue;
                }
                if (data.readPositions.getOrDefault(p.userId(), Map.of()).getOrDefault(p.roomId(), -1L) >= p.seq()) {
                    data.pending.remove(id); // read since: owed nothing
                    continue;
                }
                PendingDelivery tried = new PendingDelivery(id, p.userId(), p.roomId(), p.messageId(), p.seq(),
                        p.attempts() + 1, p.createdAt());
                if (tried.attempts() >= maxAttempts) {
                    data.pending.remove(id);
                    addDeadLetter(InMemoryData.OFFLINE, p.userId(), p.roomId(), p.messageId(), p.seq(),
                            tried.attempts(), p.createdAt(), at, null, null);
                    dead++;
                } else {
                    data.pending.put(id, tried);
                }
            }
            return dead;
        }
    }

    /** Queues a webhook delivery due at {@code dueAt}, which is also recorded as its creation time. */
    @Override
    public void enqueueWebhook(OutboxItem item, Instant dueAt) {
        synchronized (data) {
            data.check();
            data.queueWebhook(item, dueAt, dueAt);
        }
    }

    @Override
    public Map<String, Long> ofUser(String userId, Collection<String> roomIds) {
        synchronized (data) {
            data.check();
            Map<String, Long> positions = new HashMap<>(data.readPositions.getOrDefault(userId, Map.of()));
            positions.keySet().retainAll(Set.copyOf(roomIds));
            return positions;
        }
    }

    @Override
    public Map<String, Long> inRoom(String roomId, Collection<String> userIds) {
        synchronized (data) {
            data.check();
            Map<String, Long> positions = new HashMap<>();
            for (String user : userIds) {
                Long seq = data.readPositions.getOrDefault(user, Map.of()).get(roomId);
                if (seq != null) {
                    positions.put(user, seq);
                }
            }
            return positions;
        }
    }

    /** Whether a push notification's recipient has acknowledged its message since (the caller holds the lock). */
    private boolean read(OutboxItem item) {
        return OutboxItem.MESSAGE_OFFLINE.equals(item.kind()) && item.userId() != null
                && data.readPositions.getOrDefault(item.userId(), Map.of()).getOrDefault(item.roomId(), -1L)
                        >= item.seq();
    }

    @Override
    public List<DueWebhook> dueWebhooks(Instant now, int limit) {
        synchronized (data) {
            data.check();
            return data.outbox.values().stream().filter(e -> !e.nextAttemptAt().isAfter(now))
                    .sorted(Comparator.comparing(InMemoryData.OutboxEntry::nextAttemptAt)
                            .thenComparing(InMemoryData.OutboxEntry::id))
                    .limit(Math.max(limit, 0)).map(e -> new DueWebhook(e.id(), e.item(), e.attempts(), read(e.item())))
                    .toList();
        }
    }

    @Override
    public void webhookDelivered(long id) {
        synchronized (data) {
            data.check();
            data.outbox.remove(id);
        }
    }

    @Override
    public void webhookFailed(long id, int attempts, Instant nextAttemptAt, boolean dead, Instant at) {
        synchronized (data) {
            data.check();
            InMemoryData.OutboxEntry entry = data.outbox.get(id);
            if (entry == null) {
                return;
            }
            if (dead) {
                data.outbox.remove(id);
                OutboxItem item = entry.item();
                addDeadLetter(InMemoryData.WEBHOOK, item.userId(), item.roomId(), item.messageId(), item.seq(),
                        attempts, entry.createdAt(), at, item.kind(), item.webhookId());
            } else {
                data.outbox.put(id, new InMemoryData.OutboxEntry(id, entry.item(), attempts, nextAttemptAt,
                        entry.createdAt()));
            }
        }
    }

    @Override
    public List<DeadLetter> deadLetters(int limit) {
        synchronized (data) {
            data.check();
            return data.deadLetters.descendingMap().values().stream().limit(Math.max(limit, 0)).toList();
        }
    }

    @Override
    public boolean writable() {
        return !data.isUnavailable();
    }

    private void addDeadLetter(String kind, String userId, String roomId, String messageId, long seq, int attempts,
                               Instant createdAt, Instant at, String event, String webhookId) {
        long id = data.nextId();
        data.deadLetters.put(id, new DeadLetter(id, kind, userId, roomId, messageId, seq, attempts, createdAt, at, event, webhookId));
    }
}
