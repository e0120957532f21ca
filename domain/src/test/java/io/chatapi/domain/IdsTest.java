package io.chatapi.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void messageIdsSortByCreationTimeAndStayUnguessable() {
        String earlier = Ids.message(1_780_000_000_000L);
        String later = Ids.message(1_780_000_000_001L);
        String muchLater = Ids.message(4_000_000_000_000L);

        assertThat(earlier).matches("msg_[0-9a-hjkmnp-tv-z]{26}");
        assertThat(earlier).isLessThan(later);
        assertThat(later).isLessThan(muchLater);
        assertThat(earlier.substring(4, 14)).isEqualTo(Ids.message(1_780_000_000_000L).substring(4, 14));
        Set<String> sameMillisecond = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            sameMillisecond.add(Ids.message(1_780_000_000_000L));
        }
        assertThat(sameMillisecond).hasSize(1000);
    }

    @Test
    void roomAndBotIdsAreAPrefixAndTwentyRandomCharacters() {
        assertThat(Ids.room()).matches("room_[0-9a-hjkmnp-tv-z]{20}");
        assertThat(Ids.bot()).matches("bot_[0-9a-hjkmnp-tv-z]{20}");
        assertThat(Ids.room()).isNotEqualTo(Ids.room());
    }
}
