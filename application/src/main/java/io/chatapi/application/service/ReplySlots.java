package io.chatapi.application.service;

import io.chatapi.application.port.out.Cancellation;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A counting gate for bot replies whose waiters give up as soon as their reply is cancelled. One bot holds at most
 * three quarters of the slots (at least one), so a bot whose provider answers slowly cannot take every slot: the
 * other bots keep a quarter. The replies to one user's messages hold at most a sixteenth of the slots, but four when
 * that is fewer (all of them when there are fewer than four), so a user who writes in many rooms of a bot at once
 * cannot keep that bot from answering everyone else. Thread-safe.
 */
final class ReplySlots {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final int perBot;
    private final int perUser;
    private final Map<String, Integer> heldByBot = new HashMap<>();
    private final Map<String, Integer> heldByUser = new HashMap<>();
    private int free;

    ReplySlots(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("max concurrency must be at least 1");
        }
        this.free = slots;
        this.perBot = (int) Math.max(1, slots * 3L / 4);
        this.perUser = Math.max(slots / 16, Math.min(slots, 4));
    }

    /**
     * Waits for a free slot that {@code botId}, answering {@code userId}, may take; false (holding none) when the
     * reply is cancelled first or the thread is interrupted.
     */
    boolean acquire(String botId, String userId, Cancellation cancellation) {
        cancellation.onCancel(this::wake);
        lock.lock();
        try {
            while ((free == 0 || heldByBot.getOrDefault(botId, 0) >= perBot
                    || heldByUser.getOrDefault(userId, 0) >= perUser) && !cancellation.isCancelled()) {
                changed.await();
            }
            if (cancellation.isCancelled()) {
                return false;
            }
            free--;
            heldByBot.merge(botId, 1, Integer::sum);
            heldByUser.merge(userId, 1, Integer::sum);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    void release(String botId, String userId) {
        lock.lock();
        try {
            free++;
            heldByBot.computeIfPresent(botId, (bot, count) -> count == 1 ? null : count - 1);
            heldByUser.computeIfPresent(userId, (user, count) -> count == 1 ? null : count - 1);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
