package io.chatapi.application.service;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * Values by user and room, whose rooms of one user are found without going through everyone's. Thread-safe: a
 * user's rooms change only inside the outer map's {@code compute} on that user, so a user's map is never dropped
 * (once empty) while a value goes into it. The functions given run under that lock and must not call back here.
 */
final class ByUserAndRoom<V> {
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, V>> users = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    V get(UserInRoom key) {
        ConcurrentHashMap<String, V> rooms = users.get(key.userId());
        return rooms == null ? null : rooms.get(key.roomId());
    }

    /** As {@link ConcurrentHashMap#compute}: the value {@code remap} returns, kept; null removes it. */
    V compute(UserInRoom key, BiFunction<UserInRoom, V, V> remap) {
        List<V> result = new java.util.ArrayList<>(1);
        users.compute(key.userId(), (user, rooms) -> {
            ConcurrentHashMap<String, V> kept = rooms == null ? new ConcurrentHashMap<>() : rooms;
            V before = kept.get(key.roomId());
            V after = remap.apply(key, before);
            if (after == null) {
                if (before != null) {
                    kept.remove(key.roomId());
                    size.decrementAndGet();
                }
            } else if (kept.put(key.roomId(), after) == null) {
                size.incrementAndGet();
            }
            result.add(after);
            return kept.isEmpty() ? null : kept;
        });
        return result.get(0);
    }

    /** As {@link ConcurrentHashMap#computeIfPresent}. */
    V computeIfPresent(UserInRoom key, BiFunction<UserInRoom, V, V> remap) {
        return compute(key, (k, value) -> value == null ? null : remap.apply(k, value));
    }

    /** Removes the value; returns it, or null when there was none. */
    V remove(UserInRoom key) {
        List<V> removed = new java.util.ArrayList<>(1);
        compute(key, (k, value) -> {
            removed.add(value);
            return null;
        });
        return removed.get(0);
    }

    /** Removes the value only while it equals {@code expected}. */
    void remove(UserInRoom key, V expected) {
        compute(key, (k, value) -> Objects.equals(value, expected) ? null : value);
    }

    /** The user's keys at this moment. */
    List<UserInRoom> keysOf(String userId) {
        ConcurrentHashMap<String, V> rooms = users.get(userId);
        return rooms == null ? List.of() : rooms.keySet().stream().map(room -> new UserInRoom(userId, room)).toList();
    }

    void removeIf(Predicate<V> drop) {
        for (String user : users.keySet()) {
            users.computeIfPresent(user, (u, rooms) -> {
                rooms.values().removeIf(value -> {
                    if (!drop.test(value)) {
                        return false;
                    }
                    size.decrementAndGet();
                    return true;
                });
                return rooms.isEmpty() ? null : rooms;
            });
        }
    }

    int size() {
        return size.get();
    }

    boolean isEmpty() {
        return users.isEmpty();
    }
}
