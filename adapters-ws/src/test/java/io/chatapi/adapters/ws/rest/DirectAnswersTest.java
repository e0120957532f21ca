package io.chatapi.adapters.ws.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.domain.ErrorCode;
import org.junit.jupiter.api.Test;

class DirectAnswersTest {
    @Test
    void everyStatusHelidonAnswersByItselfHasTheErrorCodeOfTheContract() {
        assertThat(DirectAnswers.code(400)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(DirectAnswers.code(431)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(DirectAnswers.code(505)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(DirectAnswers.code(403)).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(DirectAnswers.code(413)).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(DirectAnswers.code(500)).isEqualTo(ErrorCode.INTERNAL);
    }
}
