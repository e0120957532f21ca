package io.chatapi.application.service;

import io.chatapi.application.port.out.BotStore;
import io.chatapi.domain.Bot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

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
        return change(() -> store.create(bot), (created, known) -> known.put(created.id(), created));
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
        return change(() -> store.delete(botId), (deleted, known) -> {
            if (deleted) {
                known.remove(botId);
            }
        });
    }

    /**
     * Runs a write on the store, then applies its result to the definitions in memory (if read yet); a write that
     * fails may or may not have reached the store, so the definitions are read again.
     */
    private <T> T change(Supplier<T> write, BiConsumer<T, Map<String, Bot>> apply) {
        synchronized (changes) {
            T result;
            try {
                result = write.get();
            } catch (RuntimeException e) {
                byId = null;
                throw e;
            }
            Map<String, Bot> known = byId;
            if (known != null) {
                Map<String, Bot> next = new HashMap<>(known);
                apply.accept(result, next);
                byId = Map.copyOf(next);
            }
            return result;
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
