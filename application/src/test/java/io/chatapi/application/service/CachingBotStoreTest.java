package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.contract.BotStoreContract;
import io.chatapi.application.contract.Stores;
import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.port.out.BotStore;
import io.chatapi.domain.Bot;
import io.chatapi.domain.LlmProvider;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The caching decorator keeps the whole bot store contract, and reads the store once for any number of finds. */
class CachingBotStoreTest extends BotStoreContract {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    protected Stores newStores() {
        InMemoryStores s = InMemoryStores.create();
        return new Stores(s.rooms(), s.messages(), s.deliveries(), new CachingBotStore(s.bots()), s.presence(),
                s.owedReplies(), () -> { });
    }

    @Test
    void findsFromMemoryAfterOneReadAndSeesItsOwnChangesAtOnce() {
        var stores = InMemoryStores.create();
        var counting = new Counting(stores.bots());
        var cache = new CachingBotStore(counting);
        stores.bots().create(bot("bot_a"));

        assertThat(cache.find("bot_a")).contains(bot("bot_a"));
        for (int i = 0; i < 100; i++) {
            assertThat(cache.find("alice")).isEmpty();
            assertThat(cache.find("bot_a")).isPresent();
        }
        assertThat(counting.reads).hasValue(1);

        cache.create(bot("bot_b"));
        assertThat(cache.find("bot_b")).contains(bot("bot_b"));
        assertThat(cache.delete("bot_a")).isTrue();
        assertThat(cache.find("bot_a")).isEmpty();
        assertThat(cache.delete("bot_a")).isFalse();
        assertThat(counting.reads).hasValue(1);
    }

    @Test
    void aFailedChangeIsReadAgainFromTheStore() {
        var stores = InMemoryStores.create();
        var cache = new CachingBotStore(stores.bots());
        stores.bots().create(bot("bot_a"));
        assertThat(cache.find("bot_a")).isPresent();

        stores.data().unavailable(true);
        assertThatThrownBy(() -> cache.delete("bot_a")).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> cache.create(bot("bot_b"))).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> cache.find("bot_a")).isInstanceOf(RuntimeException.class);

        stores.data().unavailable(false);
        assertThat(cache.find("bot_a")).isPresent();
        assertThat(cache.find("bot_b")).isEmpty();
    }

    private static Bot bot(String id) {
        return new Bot(id, "Helper", "http://127.0.0.1:9/v1", "OPENAI_KEY", "gpt-test", LlmProvider.OPENAI,
                Bot.DEFAULT_MAX_CONTEXT, null, null, NOW);
    }

    /** Counts the reads that reach the store. */
    private static final class Counting implements BotStore {
        final AtomicInteger reads = new AtomicInteger();
        private final BotStore store;

        Counting(BotStore store) {
            this.store = store;
        }

        @Override
        public Bot create(Bot bot) {
            return store.create(bot);
        }

        @Override
        public List<Bot> list() {
            reads.incrementAndGet();
            return store.list();
        }

        @Override
        public Optional<Bot> find(String botId) {
            reads.incrementAndGet();
            return store.find(botId);
        }

        @Override
        public boolean delete(String botId) {
            return store.delete(botId);
        }
    }
}
