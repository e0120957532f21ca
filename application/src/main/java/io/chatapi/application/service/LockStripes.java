package io.chatapi.application.service;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A fixed set of locks shared by keys (a room, a user, a user in a room): work on one key runs one at a time,
 * keys that share a stripe wait for each other, and memory stays the same however many keys there are.
 */
final class LockStripes {
    private final Lock[] locks;

    LockStripes(int stripes) {
        locks = new Lock[stripes];
        for (int i = 0; i < stripes; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Runs {@code work} holding the stripe of {@code key}. */
    <T> T locked(Object key, Supplier<T> work) {
        Lock lock = locks[Math.floorMod(key.hashCode(), locks.length)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} holding the stripe of {@code key}. */
    void locked(Object key, Runnable work) {
        locked(key, () -> {
            work.run();
            return null;
        });
    }
}
