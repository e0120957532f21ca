package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.port.in.ManageBotsUseCase.NewBot;
import io.chatapi.domain.Bot;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.ErrorCode;
import io.chatapi.domain.LlmProvider;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManageBotsServiceTest {
    private static final Instant NOW = Instant.parse("2026-04-02T12:00:00Z");
    private static final Principal ADMIN = new Principal("backend", Role.ADMIN);
    private static final Pattern DEFAULT_PATTERN = Pattern.compile("^[A-Z][A-Z0-9_]*_API_KEY$");
    private static final Set<String> RESERVED = Set.of("JWT_SECRET", "WEBHOOK_SECRET", "DATABASE_DSN", "ADMIN_API_KEY");

    private final BotStoreBotTestDouble bots = new BotStoreBotTestDouble();
    private final LlmBotTestDouble llm = new LlmBotTestDouble();
    private final ManageBotsService service = new ManageBotsService(bots, llm, DEFAULT_PATTERN, RESERVED, () -> NOW);

    private static NewBot valid() {
        return new NewBot("Helper", "https://api.openai.com/v1", "OPENAI_API_KEY", "gpt-4o-mini", null, null, null,
                null);
    }

    private static void assertRefused(ThrowingCallable call, ErrorCode code, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ChatException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    @Test
    void anAdminCreatesABotWithDefaults() {
        Bot bot = service.create(ADMIN, valid());

        assertThat(bot.id()).startsWith("bot_");
        assertThat(bot.provider()).isEqualTo(LlmProvider.OPENAI);
        assertThat(bot.maxContext()).isEqualTo(Bot.DEFAULT_MAX_CONTEXT);
        assertThat(bot.temperature()).isNull();
        assertThat(bot.maxTokens()).isNull();
        assertThat(bot.createdAt()).isEqualTo(NOW);
        assertThat(service.get(ADMIN, bot.id())).isEqualTo(bot);
        assertThat(service.list(ADMIN)).containsExactly(bot);
    }

    @Test
    void anAdminSetsTheExtensionFields() {
        Bot bot = service.create(ADMIN, new NewBot("Claude", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY",
                "model-test", "anthropic", 1000, 2.0, 1));

        assertThat(bot.provider()).isEqualTo(LlmProvider.ANTHROPIC);
        assertThat(bot.maxContext()).isEqualTo(1000);
        assertThat(bot.temperature()).isEqualTo(2.0);
        assertThat(bot.maxTokens()).isEqualTo(1);
    }

    @Test
    void longFieldsAreRefusedNamingTheField() {
        String long1001 = "x".repeat(1_001);
        assertRefused(() -> service.create(ADMIN, new NewBot(long1001, "https://api.openai.com/v1", "OPENAI_API_KEY",
                "m", null, null, null, null)), ErrorCode.PAYLOAD_TOO_LARGE,
                "name is longer than 1000 UTF-16 code units");
        assertRefused(() -> service.create(ADMIN, new NewBot("n", "https://api.openai.com/v1", "OPENAI_API_KEY",
                long1001, null, null, null, null)), ErrorCode.PAYLOAD_TOO_LARGE,
                "model is longer than 1000 UTF-16 code units");
        assertRefused(() -> service.create(ADMIN, new NewBot("n", "https://api.openai.com/v1/" + "p".repeat(2_048),
                "OPENAI_API_KEY", "m", null, null, null, null)), ErrorCode.PAYLOAD_TOO_LARGE, "llm_base_url is longer");
        assertThat(service.create(ADMIN, new NewBot("x".repeat(1_000), "https://api.openai.com/v1", "OPENAI_API_KEY",
                "m", null, null, null, null)).name()).hasSize(1_000);
    }

    @Test
    void onlyAdminsManageBots() {
        Bot bot = service.create(ADMIN, valid());
        for (Principal caller : new Principal[] {new Principal("alice", Role.USER), new Principal("a1", Role.AGENT)}) {
            assertRefused(() -> service.create(caller, valid()), ErrorCode.FORBIDDEN, "admin");
            assertRefused(() -> service.list(caller), ErrorCode.FORBIDDEN, "admin");
            assertRefused(() -> service.get(caller, bot.id()), ErrorCode.FORBIDDEN, "admin");
            assertRefused(() -> service.delete(caller, bot.id()), ErrorCode.FORBIDDEN, "admin");
        }
        assertThat(bots.list()).containsExactly(bot);
    }

    static Stream<Arguments> invalidBots() {
        return Stream.of(
                Arguments.of(new NewBot(null, "https://x.test", "OPENAI_API_KEY", "m", null, null, null, null), "name"),
                Arguments.of(new NewBot("  ", "https://x.test", "OPENAI_API_KEY", "m", null, null, null, null), "name"),
                Arguments.of(new NewBot("n", "", "OPENAI_API_KEY", "m", null, null, null, null), "llm_base_url"),
                Arguments.of(new NewBot("n", "https://x.test", null, "m", null, null, null, null), "llm_api_key_env"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY", " ", null, null, null, null), "model"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY", "m", "gemini", null, null, null),
                        "provider"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY", "m", "OpenAI", null, null, null),
                        "provider"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY", "m", null, 0, null, null),
                        "max_context"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY", "m", null, 1001, null, null),
                        "max_context"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY", "m", null, null, -0.1, null),
                        "temperature"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY", "m", null, null, 2.01, null),
                        "temperature"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY", "m", null, null, Double.NaN, null),
                        "temperature"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY", "m", null, null, null, 0),
                        "max_tokens"),
                Arguments.of(new NewBot("n", "https://x.test", "JWT_SECRET", "m", null, null, null, null),
                        "llm_api_key_env"),
                Arguments.of(new NewBot("n", "https://x.test", "openai_api_key", "m", null, null, null, null),
                        "llm_api_key_env"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY\nX", "m", null, null, null, null),
                        "llm_api_key_env"),
                Arguments.of(new NewBot("n", "https://x.test", " OPENAI_API_KEY", "m", null, null, null, null),
                        "llm_api_key_env"),
                Arguments.of(new NewBot("n", "https://x.test", "OPENAI_API_KEY\n", "m", null, null, null, null),
                        "llm_api_key_env"));
    }

    @ParameterizedTest
    @MethodSource("invalidBots")
    void refusesAnInvalidBotNamingTheField(NewBot command, String field) {
        assertRefused(() -> service.create(ADMIN, command), ErrorCode.INVALID_REQUEST, field);
        assertThat(bots.list()).isEmpty();
    }

    @Test
    void neverLetsABotNameAServerSettingEvenWhenThePatternAllowsIt() {
        ManageBotsService lax = new ManageBotsService(bots, llm, Pattern.compile("[A-Za-z_]+"), RESERVED, () -> NOW);
        for (String name : new String[] {"JWT_SECRET", "WEBHOOK_SECRET", "database_dsn"}) {
            NewBot command = new NewBot("n", "https://x.test", name, "m", null, null, null, null);
            assertRefused(() -> lax.create(ADMIN, command), ErrorCode.INVALID_REQUEST, "llm_api_key_env");
        }
        NewBot reservedKeyLike = new NewBot("n", "https://x.test", "ADMIN_API_KEY", "m", null, null, null, null);
        assertRefused(() -> service.create(ADMIN, reservedKeyLike), ErrorCode.INVALID_REQUEST, "server setting");
        assertThat(lax.create(ADMIN, new NewBot("n", "https://x.test", "my_key", "m", null, null, null, null))
                .llmApiKeyEnv()).isEqualTo("my_key");
    }

    @Test
    void refusesAnEndpointTheLlmClientRejectsWithItsReason() {
        llm.endpointProblem = Optional.of("host resolves to a private address");

        assertRefused(() -> service.create(ADMIN, valid()), ErrorCode.INVALID_REQUEST,
                "llm_base_url refused: host resolves to a private address");
        assertThat(bots.list()).isEmpty();
    }

    @Test
    void unknownBotsAreNotFound() {
        assertRefused(() -> service.get(ADMIN, "bot_missing"), ErrorCode.NOT_FOUND, "bot");
        assertRefused(() -> service.delete(ADMIN, "bot_missing"), ErrorCode.NOT_FOUND, "bot");
    }

    @Test
    void anAdminDeletesABot() {
        Bot bot = service.create(ADMIN, valid());
        service.delete(ADMIN, bot.id());

        assertThat(service.list(ADMIN)).isEmpty();
        assertRefused(() -> service.get(ADMIN, bot.id()), ErrorCode.NOT_FOUND, "bot");
    }
}
