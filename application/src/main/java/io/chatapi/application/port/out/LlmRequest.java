package io.chatapi.application.port.out;

import io.chatapi.domain.Bot;
import java.util.List;

/** One completion to stream: the bot (endpoint, model, limits), an optional system prompt, the history. */
public record LlmRequest(Bot bot, String systemPrompt, List<ChatTurn> history) {
}
