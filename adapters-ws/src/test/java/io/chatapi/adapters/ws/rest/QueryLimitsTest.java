package io.chatapi.adapters.ws.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.domain.ChatException;
import org.junit.jupiter.api.Test;

class QueryLimitsTest {
    @Test
    void deadLetterLimitsAreClampedLikeEveryOtherWholeNumber() {
        assertThat(BotRoutes.deadLetterLimit(null)).isEqualTo(100);
        assertThat(BotRoutes.deadLetterLimit("5")).isEqualTo(5);
        assertThat(BotRoutes.deadLetterLimit("5000")).isEqualTo(1000);
        assertThat(BotRoutes.deadLetterLimit("99999999999999999999")).isEqualTo(1000);
        for (String fallback : new String[] {"0", "-5", "abc", "1.5", ""}) {
            assertThat(BotRoutes.deadLetterLimit(fallback)).as(fallback).isEqualTo(100);
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
