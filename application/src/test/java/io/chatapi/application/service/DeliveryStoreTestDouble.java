package io.chatapi.application.service;

import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.DueWebhook;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory delivery store for the worker tests: the offline queue, the outbox and dead letters. */
final class DeliveryStoreTestDouble implements DeliveryStore {
    /** An outbox row as the store keeps it. */
    record Row(long id, OutboxItem item, int attempts, Instant dueAt) {
    }

    /** One call of {@link #webhookFailed}. */
    record Failure(long id, int attempts, Instant nextAttemptAt, boolean dead, Instant at) {
    }

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, PendingDelivery> pending = new TreeMap<>();
    private final Map<Long, Row> outbox = new TreeMap<>();
    private final List<DeadLetter> dead = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final List<Long> delivered = new ArrayList<>();
    /**
     * Recording a delivered or failed webhook, or removing delivered entries, fails while set, as with a full disk.
     */
    volatile boolean refuseWrites;
    /** What the health probe's write answers; how many probes ran. */
    volatile java.util.function.BooleanSupplier writableProbe = () -> true;
    final java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();
    /** Released once per {@link #dueWebhooks} call, so a test can wait for a pass. */
    final Semaphore dueQueries = new Semaphore(0);
    /** Run after {@link #dueWebhooks} has read its rows and before it returns them, outside the lock. */
    volatile Runnable afterDueRead = () -> { };

    synchronized long queue(String userId, String roomId, String messageId, long seq, Instant at) {
        long id = ids.incrementAndGet();
        pending.put(id, new PendingDelivery(id, userId, roomId, messageId, seq, 0, at));
        return id;
    }

    synchronized List<PendingDelivery> allPending() {
        return List.copyOf(pending.values());
    }

    synchronized List<Row> outbox() {
        return List.copyOf(outbox.values());
    }

    synchronized List<Failure> failures() {
        return List.copyOf(failures);
    }

    synchronized List<Long> delivered() {
        return List.copyOf(delivered);
    }

    @Override
    public synchronized List<PendingDelivery> pending(PendingDelivery after, int limit) {
        Comparator<PendingDelivery> order = Comparator.comparing(PendingDelivery::roomId)
                .thenComparingLong(PendingDelivery::seq).thenComparingLong(PendingDelivery::id);
        return pending.values().stream()
                .sorted(order)
                .filter(p -> after == null || order.compare(p, after) > 0)
                .limit(limit)
                .toList();
    }

    @Override
    public synchronized List<PendingDelivery> pendingFor(String userId, PendingDelivery after, int limit) {
        return pending(after, Integer.MAX_VALUE).stream().filter(p -> p.userId().equals(userId)).limit(limit)
                .toList();
    }

    @Override
    public synchronized void removePending(List<Long> ids) {
        if (refuseWrites) {
            throw new StoreUnavailableException("the disk is full", null);
        }
        ids.forEach(pending::remove);
    }

    /** How many of the next {@link #clearUpTo} and {@link #acknowledge} calls fail as a database that is down would. */
    volatile int clearFailures;

    @Override
    public synchronized void clearUpTo(String userId, String roomId, long uptoSeq) {
        if (clearFailures > 0) {
            clearFailures--;
            throw new StoreUnavailableException("the database write failed", null);
        }
        pending.values().removeIf(p -> p.userId().equals(userId) && p.roomId().equals(roomId) && p.seq() <= uptoSeq);
    }

    private final Map<String, Long> readPositions = new HashMap<>();

    @Override
    public synchronized boolean acknowledge(String userId, String roomId, long seq) {
        String key = userId + "\n" + roomId;
        if (readPositions.getOrDefault(key, -1L) >= seq) {
            return false;
        }
        clearUpTo(userId, roomId, seq); // fails first when told to, and then writes nothing
        readPositions.put(key, seq);
        return true;
    }

    @Override
    public synchronized int recordAttempts(List<Long> ids, int maxAttempts, Instant at) {
        int died = 0;
        for (long id : ids) {
            PendingDelivery p = pending.get(id);
            if (p == null) {
                continue;
            }
            int attempts = p.attempts() + 1;
            if (attempts >= maxAttempts) {
                pending.remove(id);
                dead.add(new DeadLetter(id, "offline", p.userId(), p.roomId(), p.messageId(), p.seq(), attempts,
                        p.createdAt(), at, null, null));
                died++;
            } else {
                pending.put(id, new PendingDelivery(id, p.userId(), p.roomId(), p.messageId(), p.seq(), attempts,
                        p.createdAt()));
            }
        }
        return died;
    }

    @Override
    public synchronized void queueOffline(Message stored, DeliveryPlan.Deliveries deliveries) {
        deliveries.offlineRecipients().forEach(user -> queue(user, stored.roomId(), stored.id(), stored.seq(),
                stored.createdAt()));
        deliveries.webhooks().forEach(item -> enqueueWebhook(item, stored.createdAt()));
    }

    @Override
    public synchronized void enqueueWebhook(OutboxItem item, Instant dueAt) {
        long id = ids.incrementAndGet();
        outbox.put(id, new Row(id, item, 0, dueAt));
    }

    @Override
    public List<DueWebhook> dueWebhooks(Instant now, int limit) {
        List<DueWebhook> due;
        synchronized (this) {
            dueQueries.release();
            due = outbox.values().stream()
                    .filter(row -> !row.dueAt().isAfter(now))
                    .limit(limit)
                    .map(row -> new DueWebhook(row.id(), row.item(), row.attempts(), OutboxItem.MESSAGE_OFFLINE
                            .equals(row.item().kind()) && readPositions.getOrDefault(
                                    row.item().userId() + "\n" + row.item().roomId(), -1L) >= row.item().seq()))
                    .toList();
        }
        afterDueRead.run();
        return due;
    }

    /** Run as each delivery is recorded, before it is, outside the lock: a test can hold recordings back. */
    volatile Runnable beforeRecordingDelivery = () -> { };

    @Override
    public void webhookDelivered(long id) {
        beforeRecordingDelivery.run();
        synchronized (this) {
            if (refuseWrites) {
                throw new StoreUnavailableException("the disk is full", null);
            }
            delivered.add(id);
            outbox.remove(id);
        }
    }

    @Override
    public synchronized void webhookFailed(long id, int attempts, Instant nextAttemptAt, boolean dead, Instant at) {
        if (refuseWrites) {
            throw new StoreUnavailableException("the disk is full", null);
        }
        failures.add(new Failure(id, attempts, nextAttemptAt, dead, at));
        Row row = outbox.remove(id);
        if (row == null) {
            return;
        }
        if (dead) {
            OutboxItem item = row.item();
            this.dead.add(new DeadLetter(id, "webhook", item.userId(), item.roomId(), item.messageId(), item.seq(),
                    attempts, at, at, item.kind(), item.webhookId()));
        } else {
            outbox.put(id, new Row(id, row.item(), attempts, nextAttemptAt));
        }
    }

    @Override
    public synchronized List<DeadLetter> deadLetters(int limit) {
        return dead.reversed().stream().limit(limit).toList();
    }

    @Override
    public boolean writable() {
        probes.incrementAndGet();
        return writableProbe.getAsBoolean();
    }
}
