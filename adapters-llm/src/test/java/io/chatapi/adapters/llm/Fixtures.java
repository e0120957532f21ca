package io.chatapi.adapters.llm;

import io.chatapi.application.port.out.ChatTurn;
import io.chatapi.application.port.out.LlmRequest;
import io.chatapi.domain.Bot;
import io.chatapi.domain.LlmProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Bots, requests and settings shared by the tests. */
final class Fixtures {
    static final String KEY_ENV = "TEST_LLM_API_KEY";
    static final String KEY = "sk-test-secret-123";

    private Fixtures() {
    }

    static Bot bot(LlmProvider provider, String baseUrl, Double temperature, Integer maxTokens) {
        return new Bot("bot_1", "Helper", baseUrl, KEY_ENV, "model-x", provider, Bot.DEFAULT_MAX_CONTEXT,
                temperature, maxTokens, Instant.parse("2026-01-01T00:00:00Z"));
    }

    static LlmRequest request(LlmProvider provider, String baseUrl) {
        return new LlmRequest(bot(provider, baseUrl, null, null), null, List.of(new ChatTurn("user", "Hi")));
    }

    /** Loopback allowed, the test key present, and time-outs long enough not to matter unless a test says so. */
    static LlmSettings settings() {
        return settings(Duration.ofSeconds(10), Duration.ofSeconds(20));
    }

    static LlmSettings settings(Duration idle, Duration total) {
        return new LlmSettings(Duration.ofSeconds(5), idle, total, true, Map.of(KEY_ENV, KEY)::get);
    }
}
