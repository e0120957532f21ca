package io.chatapi.application.service;

import io.chatapi.application.port.in.ManageBotsUseCase;
import io.chatapi.application.port.out.BotStore;
import io.chatapi.application.port.out.LlmClient;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.Bot;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Ids;
import io.chatapi.domain.LlmProvider;
import io.chatapi.domain.Principal;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Creates, lists, reads and deletes bots for admins (protocol §7). A new bot's key variable must match
 * {@code LLM_KEY_ENV_PATTERN} and may not name a server setting, and its endpoint must pass the LLM
 * client's address check; every refusal is an {@code invalid_request} naming the field.
 */
public final class ManageBotsService implements ManageBotsUseCase {
    static final int MAX_CONTEXT_LIMIT = 1000;
    static final double MAX_TEMPERATURE = 2.0;
    /** The longest name, model and key variable name: they travel with every bot listing and LLM request. */
    static final int MAX_TEXT_CHARS = 1_000;
    static final int MAX_URL_CHARS = 2_048;

    private final BotStore bots;
    private final LlmClient llm;
    private final Pattern keyEnvPattern;
    private final Set<String> reservedNames;
    private final TimeSource clock;

    /**
     * @param keyEnvPattern  which environment variables a bot may name ({@code LLM_KEY_ENV_PATTERN}); the
     *                       whole name must match
     * @param reservedNames  the server's own setting names, never allowed as a key variable (compared
     *                       ignoring case)
     */
    public ManageBotsService(BotStore bots, LlmClient llm, Pattern keyEnvPattern, Set<String> reservedNames,
                             TimeSource clock) {
        this.bots = bots;
        this.llm = llm;
        this.keyEnvPattern = keyEnvPattern;
        this.reservedNames = reservedNames.stream().map(n -> n.toUpperCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        this.clock = clock;
    }

    @Override
    public Bot create(Principal caller, NewBot command) {
        requireAdmin(caller);
        String name = required("name", command.name(), MAX_TEXT_CHARS);
        String baseUrl = required("llm_base_url", command.llmBaseUrl(), MAX_URL_CHARS);
        String keyEnv = required("llm_api_key_env", command.llmApiKeyEnv(), MAX_TEXT_CHARS);
        String model = required("model", command.model(), MAX_TEXT_CHARS);
        LlmProvider provider = command.provider() == null ? LlmProvider.OPENAI
                : LlmProvider.parse(command.provider()).orElseThrow(
                        () -> ChatException.invalid("provider must be \"openai\" or \"anthropic\""));
        int maxContext = command.maxContext() == null ? Bot.DEFAULT_MAX_CONTEXT : command.maxContext();
        if (maxContext < 1 || maxContext > MAX_CONTEXT_LIMIT) {
            throw ChatException.invalid("max_context must be between 1 and " + MAX_CONTEXT_LIMIT);
        }
        Double temperature = command.temperature();
        if (temperature != null && !(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            throw ChatException.invalid("temperature must be between 0 and 2");
        }
        Integer maxTokens = command.maxTokens();
        if (maxTokens != null && maxTokens < 1) {
            throw ChatException.invalid("max_tokens must be at least 1");
        }
        // the name as written: a variable name with spaces around it names no variable
        if (!keyEnv.equals(command.llmApiKeyEnv()) || !keyEnvPattern.matcher(keyEnv).matches()) {
            throw ChatException.invalid("llm_api_key_env must match " + keyEnvPattern.pattern());
        }
        if (reservedNames.contains(keyEnv.toUpperCase(Locale.ROOT))) {
            throw ChatException.invalid("llm_api_key_env may not name a server setting");
        }
        llm.endpointProblem(baseUrl).ifPresent(problem -> {
            throw ChatException.invalid("llm_base_url refused: " + problem);
        });
        return bots.create(new Bot(Ids.bot(), name, baseUrl, keyEnv, model, provider, maxContext, temperature,
                maxTokens, clock.now()));
    }

    @Override
    public List<Bot> list(Principal caller) {
        requireAdmin(caller);
        return bots.list();
    }

    @Override
    public Bot get(Principal caller, String botId) {
        requireAdmin(caller);
        return bots.find(botId).orElseThrow(() -> ChatException.notFound("bot not found"));
    }

    @Override
    public void delete(Principal caller, String botId) {
        requireAdmin(caller);
        if (!bots.delete(botId)) {
            throw ChatException.notFound("bot not found");
        }
    }

    private static void requireAdmin(Principal caller) {
        if (!AccessPolicy.canManageBots(caller)) {
            throw ChatException.forbidden("only admins may manage bots");
        }
    }

    private static String required(String field, String value, int maxChars) {
        if (value == null || value.isBlank()) {
            throw ChatException.invalid(field + " is required");
        }
        MessageText.requireAtMost(field, value, maxChars);
        return value.strip();
    }
}
