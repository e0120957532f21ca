package io.chatapi.application.service;

import io.chatapi.application.port.out.Cancellation;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A counting gate for bot replies whose waiters give up as soon as their reply is cancelled. Thread-safe. */
final class ReplySlots {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int free;

    ReplySlots(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("max concurrency must be at least 1");
        }
        this.free = slots;
    }

    /** Waits for a free slot; false (holding none) when the reply is cancelled first or the thread is interrupted. */
    boolean acquire(Cancellation cancellation) {
        cancellation.onCancel(this::wake);
        lock.lock();
        try {
            while (free == 0 && !cancellation.isCancelled()) {
                changed.await();
            }
            if (cancellation.isCancelled()) {
                return false;
            }
            free--;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    void release() {
        lock.lock();
        try {
            free++;
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
