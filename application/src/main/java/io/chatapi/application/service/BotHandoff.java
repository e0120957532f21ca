package io.chatapi.application.service;

/**
 * Hands a room to a human when the application's {@code bot.context} answer asks for it
 * ({@code skip:true} with a {@code handoff}). Called from a bot-reply thread; may block on the stores.
 */
@FunctionalInterface
public interface BotHandoff {
    /** Sets the room's handoff state to {@code human} with {@code by} = {@code botId} and the given reason (may be null). */
    void handToHuman(String roomId, String botId, String reason);
}
