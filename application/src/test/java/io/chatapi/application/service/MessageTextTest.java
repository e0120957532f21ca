package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.domain.ChatException;
import io.chatapi.domain.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The content rule shared by sends (socket and REST) and edits. */
class MessageTextTest {
    @Test
    void contentMadeOnlyOfWhiteSpaceIsRefusedNoBreakSpacesAndLineBreaksIncluded() {
        for (String blank : List.of("", " ", "\t", "\n\r", "\u000b\u000c", "\u3000", "\u00a0", "\u2007", "\u202f", "\u0085",
                "\u2028\u2029", "\u1680", "\u2000\u200a", "\u205f", " \u00a0\t\u202f ")) {
            assertThatThrownBy(() -> MessageText.requireContent(blank, 100))
                    .as("U+%04X", blank.isEmpty() ? 0 : (int) blank.charAt(0))
                    .isInstanceOf(ChatException.class).hasMessage("content is required")
                    .extracting(e -> ((ChatException) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }
    }

    @Test
    void contentWithAnythingButWhiteSpaceIsAccepted() {
        for (String text : List.of("a", " a ", "\u00a0x\u00a0", "\u200b", "\u200b\u00a0", "\ufeff", "\u2060",
                "💬", "\u3000.", "\u001c", "\u001f ", "\u0000", "\u0008")) {
            assertThatCode(() -> MessageText.requireContent(text, 100)).as(text).doesNotThrowAnyException();
        }
    }
}
