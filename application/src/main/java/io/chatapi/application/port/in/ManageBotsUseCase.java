package io.chatapi.application.port.in;

import io.chatapi.domain.Bot;
import io.chatapi.domain.Principal;
import java.util.List;

/** Admin-only bot management. */
public interface ManageBotsUseCase {
    /**
     * A new bot; {@code provider} (wire value), {@code maxContext}, {@code temperature} and {@code maxTokens}
     * may be null (defaults apply).
     */
    record NewBot(String name, String llmBaseUrl, String llmApiKeyEnv, String model, String provider,
                  Integer maxContext, Double temperature, Integer maxTokens) {
    }

    Bot create(Principal caller, NewBot command);

    List<Bot> list(Principal caller);

    Bot get(Principal caller, String botId);

    void delete(Principal caller, String botId);
}
