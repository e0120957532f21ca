package io.chatapi.application.service;

import io.chatapi.application.port.out.BotStore;
import io.chatapi.domain.Bot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Bots in a list, oldest first. */
final class BotStoreBotTestDouble implements BotStore {
    private final List<Bot> bots = new ArrayList<>();

    @Override
    public synchronized Bot create(Bot bot) {
        bots.add(bot);
        return bot;
    }

    @Override
    public synchronized List<Bot> list() {
        return List.copyOf(bots);
    }

    @Override
    public synchronized Optional<Bot> find(String botId) {
        return bots.stream().filter(b -> b.id().equals(botId)).findFirst();
    }

    @Override
    public synchronized boolean delete(String botId) {
        return bots.removeIf(b -> b.id().equals(botId));
    }
}
