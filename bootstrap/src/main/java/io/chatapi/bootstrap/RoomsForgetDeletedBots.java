package io.chatapi.bootstrap;

import io.chatapi.application.port.out.BotStore;
import io.chatapi.application.service.BotReplies;
import io.chatapi.application.service.CachingRoomStore;
import io.chatapi.domain.Bot;
import java.util.List;
import java.util.Optional;

/**
 * Deleting a bot removes its memberships in the store, so the cached member lists are dropped too, and the bot's
 * replies in flight are ended without being stored.
 */
final class RoomsForgetDeletedBots implements BotStore {
    private final BotStore bots;
    private final CachingRoomStore rooms;
    private volatile BotReplies replies;

    RoomsForgetDeletedBots(BotStore bots, CachingRoomStore rooms) {
        this.bots = bots;
        this.rooms = rooms;
    }

    /** Connects the bot pipeline, whose replies a deletion ends (set once while wiring). */
    void setReplies(BotReplies replies) {
        this.replies = replies;
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
        boolean deleted;
        try {
            deleted = bots.delete(botId);
        } finally {
            rooms.forgetAll();
        }
        BotReplies pipeline = replies;
        if (deleted && pipeline != null) {
            pipeline.onBotDeleted(botId);
        }
        return deleted;
    }
}
