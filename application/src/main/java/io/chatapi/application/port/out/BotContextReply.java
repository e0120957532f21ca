package io.chatapi.application.port.out;

/**
 * The application's answer to {@code bot.context}. {@code systemPrompt} and {@code handoffReason} may be
 * null; {@code handoff} is true only together with {@code skip}.
 */
public record BotContextReply(String systemPrompt, boolean skip, boolean handoff, String handoffReason) {
}
