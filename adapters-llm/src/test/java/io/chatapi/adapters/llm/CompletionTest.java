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
    void openAiReadsOnlyTheFirstChoiceWhateverTheFieldOrderAndSkipsEverythingElse() {
        Completion completion = new OpenAiDialect().completion(texts::add);

        Optional<LlmOutcome> result = completion.accept(new SseEvent("message", "{\"id\":\"c1\",\"meta\":{\"deep\":"
                + "[1,{\"content\":\"no\"},[\"no\"]]},\"choices\":[{\"index\":0,\"finish_reason\":\"length\","
                + "\"delta\":{\"role\":\"assistant\",\"extra\":{\"content\":\"no\"},\"content\":\"hi\"}},"
                + "{\"delta\":{\"content\":\"second choice\"}}],\"usage\":null}"));

        assertThat(result).isEmpty();
        assertThat(texts).containsExactly("hi");
        assertThat(completion.end()).isEqualTo(LlmOutcome.LENGTH);
        assertThat(completion.malformed()).isZero();
    }

    @Test
    void openAiHandsOverNothingFromATruncatedChunk() {
        Completion completion = new OpenAiDialect().completion(texts::add);

        completion.accept(new SseEvent("message", "{\"choices\":[{\"delta\":{\"content\":\"lost\"}}]"));
        completion.accept(new SseEvent("message", "{\"choices\":[{\"delta\":{\"content\":\"lost\"}},"));

        assertThat(texts).isEmpty();
        assertThat(completion.malformed()).isEqualTo(2);
    }

    @Test
    void openAiErrorWinsOverTextInTheSameChunkAndANullErrorIsNone() {
        Completion completion = new OpenAiDialect().completion(texts::add);

        assertThat(completion.accept(new SseEvent("message", "{\"error\":null,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}")))
                .isEmpty();
        assertThat(completion.accept(new SseEvent("message", "{\"choices\":[{\"delta\":{\"content\":\"b\"}}],"
                + "\"error\":{\"type\":\"server_error\",\"message\":\"boom\"}}"))).contains(LlmOutcome.ERROR);

        assertThat(texts).containsExactly("a");
        assertThat(completion.problem()).isEqualTo("server_error boom");
    }

    @Test
    void anthropicReadsTheTypeWhereverItStandsAndFallsBackWhenItIsNull() {
        Completion completion = new AnthropicDialect().completion(texts::add);

        completion.accept(new SseEvent("message", "{\"delta\":{\"text\":\"late\",\"type\":\"text_delta\"},"
                + "\"index\":0,\"type\":\"content_block_delta\"}"));
        completion.accept(new SseEvent("content_block_delta", "{\"type\":null,\"delta\":{\"type\":\"text_delta\","
                + "\"text\":\" named\"}}"));
        completion.accept(new SseEvent("message", "{\"type\":\"content_block_delta\",\"delta\":{\"type\":"
                + "\"input_json_delta\",\"text\":\"no\"}}"));

        assertThat(texts).containsExactly("late", " named");
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
