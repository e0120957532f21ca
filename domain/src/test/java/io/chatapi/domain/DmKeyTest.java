package io.chatapi.domain;

import static org.assertj.core.api.Assertions.assertThat;

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
}
