package io.chatapi.application.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.domain.Bot;
import io.chatapi.domain.LlmProvider;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every {@link io.chatapi.application.port.out.BotStore} must do. */
public abstract class BotStoreContract extends StoreContract {

    @Test
    void botsAreStoredAndListedOldestFirst() {
        Bot plain = bot("bot_plain", at(20));
        Bot tuned = new Bot("bot_tuned", "Tuned", "http://127.0.0.1:9/v1", "SUPPORT_API_KEY", "model-b",
                LlmProvider.ANTHROPIC, 8, 0.25, 512, at(10));

        assertThat(stores.bots().create(plain)).isEqualTo(plain);
        assertThat(stores.bots().create(tuned)).isEqualTo(tuned);

        assertThat(stores.bots().find("bot_plain")).contains(plain);
        assertThat(stores.bots().find("bot_tuned")).contains(tuned);
        assertThat(stores.bots().find("bot_missing")).isEmpty();
        assertThat(stores.bots().list()).containsExactly(tuned, plain);
    }

    @Test
    void deletingABotRemovesItFromItsRooms() {
        stores.bots().create(bot("bot_1", T0));
        group("room_a", T0, "alice");
        group("room_b", T0, "bob");
        stores.rooms().addMember(new Member("room_a", "bot_1", MemberRole.BOT, at(1)));
        stores.rooms().addMember(new Member("room_b", "bot_1", MemberRole.BOT, at(1)));

        assertThat(stores.bots().delete("bot_1")).isTrue();

        assertThat(stores.bots().find("bot_1")).isEmpty();
        assertThat(stores.bots().list()).isEmpty();
        assertThat(stores.rooms().roomIdsOf("bot_1")).isEmpty();
        assertThat(stores.rooms().members("room_a")).extracting(Member::userId).containsExactly("alice");
        assertThat(stores.bots().delete("bot_1")).isFalse();
    }

    @Test
    void deletingAnUnknownBotTouchesNoMembership() {
        group("room_a", T0, "alice");

        assertThat(stores.bots().delete("alice")).isFalse();

        assertThat(stores.rooms().roomIdsOf("alice")).containsExactly("room_a");
    }

    private static Bot bot(String id, Instant createdAt) {
        return new Bot(id, "Helper", "http://127.0.0.1:9/v1", "OPENAI_KEY", "gpt-test", LlmProvider.OPENAI,
                Bot.DEFAULT_MAX_CONTEXT, null, null, createdAt);
    }
}
