package io.chatapi.adapters.ws.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.domain.ErrorCode;
import org.junit.jupiter.api.Test;

class DirectAnswersTest {
    @Test
    void everyStatusHelidonAnswersByItselfHasTheErrorCodeOfTheContract() {
        assertThat(DirectAnswers.answer(400).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(DirectAnswers.answer(431).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(DirectAnswers.answer(505).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(DirectAnswers.answer(403).code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(DirectAnswers.answer(413).code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(DirectAnswers.answer(426).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(DirectAnswers.answer(500).code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(DirectAnswers.answer(403).message()).isEqualTo("origin not allowed");
    }

    @Test
    void theLogLineHoldsNeitherTheQueryNorCharactersThatCouldForgeALine() {
        assertThat(DirectAnswers.withoutQuery("/ws?token=secret")).isEqualTo("/ws");
        assertThat(DirectAnswers.withoutQuery("/rooms")).isEqualTo("/rooms");
        assertThat(DirectAnswers.loggable("/a\r\nINFO: forged é")).isEqualTo("/a??INFO:?forged??");
        assertThat(DirectAnswers.loggable("x".repeat(500))).isEqualTo("x".repeat(200) + "...");
        assertThat(DirectAnswers.loggable("x".repeat(200))).isEqualTo("x".repeat(200));
        assertThat(DirectAnswers.loggable(null)).isEqualTo("-");
    }
}
