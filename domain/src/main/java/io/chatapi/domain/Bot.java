package io.chatapi.domain;

import java.time.Instant;

/**
 * A bot the server answers for. {@code temperature} and {@code maxTokens} are null when unset.
 * The API key itself is never held: only the name of the environment variable that has it.
 */
public record Bot(String id, String name, String llmBaseUrl, String llmApiKeyEnv, String model,
                  LlmProvider provider, int maxContext, Double temperature, Integer maxTokens, Instant createdAt) {
    public static final int DEFAULT_MAX_CONTEXT = 20;
}
