package io.chatapi.adapters.llm;

import java.time.Duration;
import java.util.function.Function;

/**
 * LLM call limits, whether bots may reach private networks, and how API keys are looked up by variable
 * name (the process environment in production).
 */
public record LlmSettings(Duration connectTimeout, Duration idleTimeout, Duration totalTimeout,
                          boolean allowPrivateNetworks, Function<String, String> keyLookup) {
}
