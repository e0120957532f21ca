package io.chatapi.adapters.llm;

import io.chatapi.application.port.out.LlmRequest;
import io.chatapi.domain.LlmProvider;
import java.net.http.HttpRequest;
import java.util.function.Consumer;

/** How one LLM provider is called: the path under the base URL, the key header, the body, the stream events. */
sealed interface Dialect permits OpenAiDialect, AnthropicDialect {
    static Dialect of(LlmProvider provider) {
        return switch (provider) {
            case OPENAI -> new OpenAiDialect();
            case ANTHROPIC -> new AnthropicDialect();
        };
    }

    /** The path appended to the bot's base URL. */
    String path();

    /** Adds the provider's headers; {@code apiKey} is empty when none is configured (no key header then). */
    void headers(HttpRequest.Builder request, String apiKey);

    /** The JSON request body. */
    byte[] body(LlmRequest request);

    /** Fresh state for one streamed answer. */
    Completion completion(Consumer<String> onText);
}
