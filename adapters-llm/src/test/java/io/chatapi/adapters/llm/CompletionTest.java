package io.chatapi.adapters.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.LlmOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompletionTest {
    private final List<String> texts = new ArrayList<>();

    @Test
    void openAiCountsAndSkipsWhatIsNotAJsonObject() {
        Completion completion = new OpenAiDialect().completion(texts::add);

        assertThat(completion.accept(new SseEvent("message", "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}"))).isEmpty();
        assertThat(completion.accept(new SseEvent("message", "{broken"))).isEmpty();
        assertThat(completion.accept(new SseEvent("message", "[1,2]"))).isEmpty();
        assertThat(completion.accept(new SseEvent("message", ""))).isEmpty();
        assertThat(completion.accept(new SseEvent("message", "{\"choices\":[{\"delta\":{\"content\":null}}]}"))).isEmpty();
        assertThat(completion.accept(new SseEvent("message", " [DONE] "))).contains(LlmOutcome.STOP);

        assertThat(texts).containsExactly("a");
        assertThat(completion.malformed()).isEqualTo(2);
    }

    @Test
    void anthropicFallsBackToTheSseEventNameWhenDataHasNoType() {
        Completion completion = new AnthropicDialect().completion(texts::add);

        completion.accept(new SseEvent("content_block_delta", "{\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}"));
        Optional<LlmOutcome> end = completion.accept(new SseEvent("message_stop", "{}"));

        assertThat(texts).containsExactly("x");
        assertThat(end).contains(LlmOutcome.STOP);
    }

    @Test
    void anthropicEndOfStreamWithoutMessageStopKeepsTheStopReason() {
        Completion completion = new AnthropicDialect().completion(texts::add);

        completion.accept(new SseEvent("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"}}"));

        assertThat(completion.end()).isEqualTo(LlmOutcome.LENGTH);
    }
}
