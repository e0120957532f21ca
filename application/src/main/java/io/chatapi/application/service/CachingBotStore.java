package io.chatapi.application.service;

import io.chatapi.application.port.out.BotStore;
import io.chatapi.domain.Bot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps every bot definition in memory, so {@link #find} — asked for the sender of every message in a room with
 * a bot, and twice for every bot reply — needs no database round trip. Bots are few, created and deleted only by
 * admins and never changed; both go through this decorator, which applies them to the memory once the store has
 * them. The definitions are read on the first {@code find}. {@link #list()} reads the store. Thread-safe.
 */
public final class CachingBotStore implements BotStore {
    private final BotStore store;
    private final Object changes = new Object();
    /** Immutable; replaced whole on every change; null until first read. */
    private volatile Map<String, Bot> byId;

    public CachingBotStore(BotStore store) {
        this.store = store;
    }

    @Override
    public Bot create(Bot bot) {
        synchronized (changes) {
            Bot created;
            try {
                created = store.create(bot);
            } catch (RuntimeException e) {
                byId = null; // the store may or may not hold it: read again
                throw e;
            }
            Map<String, Bot> known = byId;
            if (known != null) {
                Map<String, Bot> next = new HashMap<>(known);
                next.put(created.id(), created);
                byId = Map.copyOf(next);
            }
            return created;
        }
    }

    @Override
    public List<Bot> list() {
        return store.list();
    }

    @Override
    public Optional<Bot> find(String botId) {
        return Optional.ofNullable(bots().get(botId));
    }

    @Override
    public boolean delete(String botId) {
        synchronized (changes) {
            boolean deleted;
            try {
                deleted = store.delete(botId);
            } catch (RuntimeException e) {
                byId = null; // the store may or may not have deleted it: read again
                throw e;
            }
            Map<String, Bot> known = byId;
            if (deleted && known != null) {
                Map<String, Bot> next = new HashMap<>(known);
                next.remove(botId);
                byId = Map.copyOf(next);
            }
            return deleted;
        }
    }

    private Map<String, Bot> bots() {
        Map<String, Bot> known = byId;
        if (known != null) {
            return known;
        }
        synchronized (changes) {
            if (byId == null) {
                Map<String, Bot> loaded = new HashMap<>();
                for (Bot bot : store.list()) {
                    loaded.put(bot.id(), bot);
                }
                byId = Map.copyOf(loaded);
            }
            return byId;
        }
    }
}
