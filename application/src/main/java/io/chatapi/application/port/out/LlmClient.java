package io.chatapi.application.port.out;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Streams a completion from a bot's LLM provider. Blocking: the method returns when the stream ends.
 * {@code onText} is called for each non-empty text chunk, in order, one call at a time, never after the method
 * has returned; it may be called on another thread than the caller's (an adapter may hand text over on its I/O
 * thread as it arrives), so it must be thread-safe and must not block. It never throws for provider failures:
 * they come back as {@link LlmOutcome#ERROR} or {@link LlmOutcome#TIMEOUT}. A {@link Cancellation} aborts the
 * HTTP exchange and returns {@link LlmOutcome#CANCELLED}. Thread-safe.
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
