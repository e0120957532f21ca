package io.chatapi.application.port.out;

import io.chatapi.domain.Bot;
import java.util.List;
import java.util.Optional;

/** Bot definitions. Writes are durable when a method returns. Thread-safe. */
public interface BotStore {
    Bot create(Bot bot);

    /** All bots, oldest first. */
    List<Bot> list();

    Optional<Bot> find(String botId);

    /** Deletes the bot and its room memberships; false when no such bot. */
    boolean delete(String botId);
}
