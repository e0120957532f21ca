package io.chatapi.application.port.out;

import io.chatapi.domain.Message;
import java.util.List;

/** The {@code bot.context} question asked before a bot replies. */
public record BotContextRequest(String botId, String roomId, Message trigger, List<ChatTurn> history) {
}
