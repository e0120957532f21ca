package io.chatapi.bootstrap;

import io.chatapi.application.port.out.BotStore;
import io.chatapi.application.service.CachingRoomStore;
import io.chatapi.domain.Bot;
import java.util.List;
import java.util.Optional;

/** Deleting a bot removes its memberships in the store, so the cached member lists are dropped too. */
final class RoomsForgetDeletedBots implements BotStore {
    private final BotStore bots;
    private final CachingRoomStore rooms;

    RoomsForgetDeletedBots(BotStore bots, CachingRoomStore rooms) {
        this.bots = bots;
        this.rooms = rooms;
    }

    @Override
    public Bot create(Bot bot) {
        return bots.create(bot);
    }

    @Override
    public List<Bot> list() {
        return bots.list();
    }

    @Override
    public Optional<Bot> find(String botId) {
        return bots.find(botId);
    }

    @Override
    public boolean delete(String botId) {
        try {
            return bots.delete(botId);
        } finally {
            rooms.forgetAll();
        }
    }
}
