package io.chatapi.application.port.out;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Streams a completion from a bot's LLM provider. Blocking: {@code onText} is called on the calling thread
 * for each non-empty text chunk, in order, and the method returns when the stream ends. It never throws
 * for provider failures: they come back as {@link LlmOutcome#ERROR} or {@link LlmOutcome#TIMEOUT}. A
 * {@link Cancellation} aborts the HTTP exchange and returns {@link LlmOutcome#CANCELLED}. Thread-safe.
 */
public interface LlmClient {
    LlmOutcome stream(LlmRequest request, Consumer<String> onText, Cancellation cancellation);

    /**
     * Checks a bot's base URL before it is stored: scheme http(s), host resolvable, and not a loopback,
     * private, link-local or metadata address unless private networks are allowed. Returns the reason to
     * refuse it, or empty when it is acceptable. May block on DNS.
     */
    Optional<String> endpointProblem(String baseUrl);
}
