package io.chatapi.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DmKeyTest {
    @Test
    void sameForBothOrders() {
        assertThat(DmKey.of("alice", "bob")).isEqualTo(DmKey.of("bob", "alice"));
    }

    @Test
    void separatorCharactersCannotCollide() {
        assertThat(DmKey.of("a:b", "c")).isNotEqualTo(DmKey.of("a", "b:c"));
        assertThat(DmKey.of("a|b", "c")).isNotEqualTo(DmKey.of("a", "b|c"));
        assertThat(DmKey.of("1:ab", "c")).isNotEqualTo(DmKey.of("1:a", "bc"));
        assertThat(DmKey.of("", "ab")).isNotEqualTo(DmKey.of("a", "b"));
    }

    @Test
    void aKeyGivesBackItsPair() {
        assertThat(DmKey.pair(DmKey.of("bob", "alice"))).containsExactly("alice", "bob");
        assertThat(DmKey.pair(DmKey.of("1:a", "b:c"))).containsExactly("1:a", "b:c");
        assertThat(DmKey.pair(DmKey.of("", "x"))).containsExactly("", "x");
        assertThat(DmKey.pair(DmKey.of("é😀", "z"))).containsExactly("z", "é😀");
    }

    @Test
    void aStringThatIsNoKeyIsRefused() {
        for (String bad : List.of("", "abc", "x:ab", "9:ab", ":ab")) {
            assertThatThrownBy(() -> DmKey.pair(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
