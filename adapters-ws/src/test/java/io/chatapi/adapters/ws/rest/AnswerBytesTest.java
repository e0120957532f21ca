package io.chatapi.adapters.ws.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bound on answer bytes being written: the whole, a quarter per user, and one answer of any size alone. */
class AnswerBytesTest {
    private static final int MB = 1_000_000;
    private final AnswerBytes budget = new AnswerBytes(20 * MB);

    @Test
    void smallAnswersAreNeverCountedNorRefused() {
        assertThat(budget.take("ann", 30 * MB)).isTrue();
        assertThat(budget.take("ann", AnswerBytes.SMALL)).isTrue();
        assertThat(budget.take("bob", AnswerBytes.SMALL)).isTrue();
        assertThat(budget.total()).isEqualTo(30 * MB);
    }

    @Test
    void oneAnswerOfAnySizeGoesWhenNothingElseIsWritten() {
        assertThat(budget.take("ann", 30 * MB)).isTrue();
        assertThat(budget.take("bob", 1 * MB)).as("past the whole").isFalse();
        budget.give("ann", 30 * MB);
        assertThat(budget.total()).isZero();
        assertThat(budget.take("bob", 1 * MB)).isTrue();
    }

    @Test
    void aUsersAnswersTogetherTakeAQuarterAtMost() {
        assertThat(budget.take("ann", 4 * MB)).isTrue();
        assertThat(budget.take("ann", 2 * MB)).as("6 MB: past ann's 5").isFalse();
        assertThat(budget.take("ann", 1 * MB)).isTrue();
        assertThat(budget.take("bob", 5 * MB)).isTrue();
        assertThat(budget.take("cy", 5 * MB)).isTrue();
        assertThat(budget.take("dee", 6 * MB)).as("21 MB: past the whole").isFalse();
        budget.give("ann", 4 * MB);
        assertThat(budget.take("dee", 6 * MB)).isTrue();
        budget.give("ann", 1 * MB);
        budget.give("bob", 5 * MB);
        budget.give("cy", 5 * MB);
        budget.give("dee", 6 * MB);
        assertThat(budget.total()).isZero();
        assertThat(budget.take("ann", 5 * MB)).as("ann's share is whole again").isTrue();
    }
}
