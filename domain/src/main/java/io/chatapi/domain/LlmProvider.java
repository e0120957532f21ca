package io.chatapi.domain;

import java.util.Optional;

/** The wire dialect a bot's LLM speaks. */
public enum LlmProvider {
    OPENAI("openai"), ANTHROPIC("anthropic");

    private final String wire;

    LlmProvider(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<LlmProvider> parse(String value) {
        for (LlmProvider provider : values()) {
            if (provider.wire.equals(value)) {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }
}
