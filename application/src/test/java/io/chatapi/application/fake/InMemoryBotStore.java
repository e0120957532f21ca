package io.chatapi.application.fake;

import io.chatapi.application.port.out.BotStore;
import io.chatapi.domain.Bot;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Bot definitions in memory; deleting a bot also removes it from every room. Thread-safe. */
public final class InMemoryBotStore implements BotStore {
    private final InMemoryData data;

    public InMemoryBotStore(InMemoryData data) {
        this.data = data;
    }

    @Override
    public Bot create(Bot bot) {
        synchronized (data) {
            data.check();
            if (data.bots.putIfAbsent(bot.id(), bot) != null) {
                throw new IllegalStateException("bot id already used: " + bot.id());
            }
            return bot;
        }
    }

    @Override
    public List<Bot> list() {
        synchronized (data) {
            data.check();
            return data.bots.values().stream().sorted(Comparator.comparing(Bot::createdAt)).toList();
        }
    }

    @Override
    public Optional<Bot> find(String botId) {
        synchronized (data) {
            data.check();
            return Optional.ofNullable(data.bots.get(botId));
        }
    }

    @Override
    public boolean delete(String botId) {
        synchronized (data) {
            data.check();
            if (data.bots.remove(botId) == null) {
                return false;
            }
            data.members.values().forEach(list -> list.removeIf(m -> m.userId().equals(botId)));
            return true;
        }
    }
}
