package io.chatapi.adapters.ws.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.domain.ChatException;
import org.junit.jupiter.api.Test;

class QueryLimitsTest {
    @Test
    void pageSizesAreReadAsGoReadsWholeNumbersAndClamped() {
        assertThat(QueryNumbers.limit(null, 100, 1000)).isEqualTo(100);
        assertThat(QueryNumbers.limit("5", 100, 1000)).isEqualTo(5);
        assertThat(QueryNumbers.limit("+5", 100, 1000)).isEqualTo(5);
        assertThat(QueryNumbers.limit("5000", 100, 1000)).isEqualTo(1000);
        assertThat(QueryNumbers.limit("99999999999999999999", 100, 1000)).isEqualTo(1000);
        for (String fallback : new String[] {"0", "-5", "-99999999999999999999", "abc", "1.5", "", " 5", "5 ", "+",
                "++5", "\u0665", "\uFF15", "\u096B\u096B"}) {
            assertThat(QueryNumbers.limit(fallback, 100, 1000)).as(fallback).isEqualTo(100);
        }
    }

    @Test
    void positionsAreReadAsGoReadsWholeNumbers() {
        assertThat(QueryNumbers.position(null)).isZero();
        assertThat(QueryNumbers.position("17")).isEqualTo(17);
        assertThat(QueryNumbers.position("+17")).isEqualTo(17);
        assertThat(QueryNumbers.position("99999999999999999999")).isEqualTo(Long.MAX_VALUE);
        for (String zero : new String[] {"-1", "abc", "1.0", " 1", "", "\u0661"}) {
            assertThat(QueryNumbers.position(zero)).as(zero).isZero();
        }
    }

    @Test
    void anIdempotencyKeyIsCheckedUnderItsOwnName() {
        assertThat(MessageRoutes.idempotencyKey("k-1")).isEqualTo("k-1");
        for (String bad : new String[] {"", "k".repeat(65)}) {
            assertThatThrownBy(() -> MessageRoutes.idempotencyKey(bad)).isInstanceOf(ChatException.class)
                    .hasMessage("Idempotency-Key must be 1 to 64 characters");
        }
    }
}
