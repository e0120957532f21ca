package io.chatapi.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    /** Reads a configuration from a valid secret plus the given pairs (name, value, name, value, …). */
    private static Config read(String... pairs) throws ConfigException {
        Map<String, String> env = new HashMap<>();
        env.put("JWT_SECRET", SECRET);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return Config.fromEnvironment(env);
    }

    private static ConfigException failure(String... pairs) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> read(pairs));
        assertThat(e).as("expected a ConfigException").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
        return e;
    }

    @Test
    void onlyTheSecretIsNeededAndEveryDefaultIsTheDocumentedOne() throws ConfigException {
        Config config = read();

        assertThat(config.server().host()).isEqualTo("0.0.0.0");
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.server().allowedOrigins()).isEmpty();
        assertThat(config.server().allowsAnyOrigin()).isFalse();
        assertThat(config.server().maxConnectionsPerUser()).isEqualTo(5);
        assertThat(config.server().maxFrameBytes()).isEqualTo(65_536);
        assertThat(config.server().maxBodyBytes()).isEqualTo(1_048_576);

        assertThat(config.jwt().secret()).isEqualTo(SECRET);
        assertThat(config.jwt().leeway()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.jwt().requireExp()).isFalse();
        assertThat(config.jwt().issuer()).isEmpty();
        assertThat(config.jwt().audience()).isEmpty();

        assertThat(config.database().file()).isEqualTo(Path.of("./chatapi.db"));
        assertThat(config.database().synchronous()).isEqualTo(Config.Synchronous.FULL);

        assertThat(config.webhook().url()).isEmpty();
        assertThat(config.webhook().enabled()).isFalse();
        assertThat(config.webhook().secret()).isEmpty();
        assertThat(config.webhook().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.webhook().maxAttempts()).isEqualTo(8);

        assertThat(config.chat().maxMessageChars()).isEqualTo(16_000);
        assertThat(config.chat().rateLimitMessages()).isEqualTo(10.0);
        assertThat(config.chat().rateLimitBurst()).isEqualTo(20);
        assertThat(config.chat().resumeMaxMessages()).isEqualTo(500);
        assertThat(config.chat().workerInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.chat().botWebhookFailure()).isEqualTo(Config.BotWebhookFailure.SKIP);

        assertThat(config.shutdown().drainTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.shutdown().reconnectMax()).isEqualTo(Duration.ofSeconds(10));

        assertThat(config.llm().keyEnvPattern().pattern()).isEqualTo("^[A-Z][A-Z0-9_]*_API_KEY$");
        assertThat(config.llm().allowPrivateNetworks()).isFalse();
        assertThat(config.llm().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.llm().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.llm().totalTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.llm().maxConcurrentReplies()).isEqualTo(256);

        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void readsEverySettingWhenGiven() throws ConfigException {
        Config config = read(
                "LISTEN_ADDR", "127.0.0.1:9090",
                "DATABASE_DSN", "jdbc:sqlite:/tmp/x/chat.db",
                "ALLOWED_ORIGINS", "https://app.example.com",
                "WEBHOOK_URL", "https://app.example.com/hook",
                "WEBHOOK_SECRET", "whsec_" + Base64.getEncoder().encodeToString(new byte[24]),
                "WS_MAX_CONNECTIONS_PER_USER", "2",
                "RATE_LIMIT_MESSAGES", "0.5",
                "RATE_LIMIT_MESSAGES_BURST", "3",
                "WORKER_INTERVAL", "500ms",
                "SHUTDOWN_DRAIN_TIMEOUT", "1m30s",
                "SQLITE_SYNCHRONOUS", "normal",
                "JWT_LEEWAY", "0",
                "JWT_REQUIRE_EXP", "true",
                "JWT_ISSUER", "https://issuer.example.com",
                "JWT_AUDIENCE", "chatapi",
                "MAX_FRAME_BYTES", "1024",
                "MAX_MESSAGE_CHARS", "100",
                "MAX_BODY_BYTES", "2048",
                "SOCKET_SEND_BUFFER_BYTES", "131072",
                "RESUME_MAX_MESSAGES", "7",
                "MAX_ROOM_MEMBERS", "40",
                "SHUTDOWN_RECONNECT_MAX", "2s",
                "WEBHOOK_TIMEOUT", "1.5s",
                "WEBHOOK_MAX_ATTEMPTS", "1",
                "BOT_WEBHOOK_FAILURE", "proceed",
                "LLM_KEY_ENV_PATTERN", "^LLM_[A-Z]+$",
                "LLM_ALLOW_PRIVATE_NETWORKS", "true",
                "LLM_CONNECT_TIMEOUT", "1s",
                "LLM_IDLE_TIMEOUT", "2s",
                "LLM_TOTAL_TIMEOUT", "1h",
                "BOT_MAX_CONCURRENT_REPLIES", "8");

        assertThat(config.server()).isEqualTo(new Config.Server("127.0.0.1", 9090,
                Set.of("https://app.example.com"), 2, 1024, 2048, 131_072));
        assertThat(config.jwt().leeway()).isZero();
        assertThat(config.jwt().requireExp()).isTrue();
        assertThat(config.jwt().issuer()).contains("https://issuer.example.com");
        assertThat(config.jwt().audience()).contains("chatapi");
        assertThat(config.database()).isEqualTo(new Config.Database(Path.of("/tmp/x/chat.db"), Config.Synchronous.NORMAL));
        assertThat(config.webhook().url()).contains(URI.create("https://app.example.com/hook"));
        assertThat(config.webhook().enabled()).isTrue();
        assertThat(config.webhook().secret()).hasValueSatisfying(s -> assertThat(s).startsWith("whsec_"));
        assertThat(config.webhook().timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.webhook().maxAttempts()).isEqualTo(1);
        assertThat(config.chat()).isEqualTo(new Config.Chat(100, 0.5, 3, 7, 40, Duration.ofMillis(500),
                Config.BotWebhookFailure.PROCEED));
        assertThat(config.shutdown()).isEqualTo(new Config.Shutdown(Duration.ofSeconds(90), Duration.ofSeconds(2)));
        assertThat(config.llm().keyEnvPattern().pattern()).isEqualTo("^LLM_[A-Z]+$");
        assertThat(config.llm().allowPrivateNetworks()).isTrue();
        assertThat(config.llm().connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.llm().idleTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.llm().totalTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.llm().maxConcurrentReplies()).isEqualTo(8);
        assertThat(config.warnings()).singleElement().asString().contains("LLM_ALLOW_PRIVATE_NETWORKS");
    }

    @Test
    void emptyValuesCountAsUnset() throws ConfigException {
        Config config = read("LISTEN_ADDR", "", "WORKER_INTERVAL", "", "WEBHOOK_URL", "", "JWT_ISSUER", "",
                "ALLOWED_ORIGINS", "");
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.chat().workerInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.webhook().url()).isEmpty();
        assertThat(config.jwt().issuer()).isEmpty();
        assertThat(config.server().allowedOrigins()).isEmpty();
    }

    @Test
    void unrelatedVariablesAreIgnored() throws ConfigException {
        assertThat(read("PATH", "/usr/bin", "HOME", "/root", "OPENAI_API_KEY", "sk-x").warnings()).isEmpty();
    }

    @Nested
    class JwtSecret {
        @Test
        void missingSecretStopsTheStartNamingTheVariable() {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> Config.fromEnvironment(Map.of()));
            assertThat(e.getMessage()).startsWith("JWT_SECRET is required").doesNotContain("\n");
            assertThat(e.problems()).hasSize(1);
        }

        @Test
        void emptySecretIsMissing() {
            assertThatThrownBy(() -> Config.fromEnvironment(Map.of("JWT_SECRET", "")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("JWT_SECRET is required");
        }

        @Test
        void shortSecretStartsWithAWarningThatDoesNotShowIt() throws ConfigException {
            Config config = Config.fromEnvironment(Map.of("JWT_SECRET", "tooShortSecret"));
            assertThat(config.jwt().secret()).isEqualTo("tooShortSecret");
            assertThat(config.warnings()).singleElement().asString()
                    .contains("JWT_SECRET", "32 bytes")
                    .doesNotContain("tooShortSecret");
        }

        @Test
        void lengthIsCountedInUtf8Bytes() throws ConfigException {
            String sixteenAccents = "é".repeat(16);
            Config config = Config.fromEnvironment(Map.of("JWT_SECRET", sixteenAccents));
            assertThat(config.warnings()).isEmpty();
            assertThat(config.jwt().secretBytes()).isEqualTo(sixteenAccents.getBytes(StandardCharsets.UTF_8));
            assertThat(Config.fromEnvironment(Map.of("JWT_SECRET", "x".repeat(31))).warnings()).hasSize(1);
        }

        @Test
        void secretIsTakenVerbatim() throws ConfigException {
            assertThat(Config.fromEnvironment(Map.of("JWT_SECRET", " padded secret with spaces, 32+ bytes "))
                    .jwt().secret()).isEqualTo(" padded secret with spaces, 32+ bytes ");
        }

        @Test
        void aSecretThatWasNotUtf8TextIsRefusedWithoutShowingIt() {
            // random bytes decode to U+FFFD: two different secrets would become one key
            String decoded = "0123456789abcdef0123456789abcdef\uFFFD\uFFFD";
            ConfigException e = catchThrowableOfType(ConfigException.class,
                    () -> Config.fromEnvironment(Map.of("JWT_SECRET", decoded, "WEBHOOK_URL", "https://a.example.com/h",
                            "WEBHOOK_SECRET", "x\uFFFD")));
            assertThat(e.problems()).containsExactly(
                    "invalid JWT_SECRET: holds bytes that are not UTF-8 text (or the character U+FFFD); "
                            + "use text, such as the hex of random bytes",
                    "invalid WEBHOOK_SECRET: holds bytes that are not UTF-8 text (or the character U+FFFD); "
                            + "use text, such as the hex of random bytes");
        }

        @Test
        void secretBytesAreACopy() throws ConfigException {
            Config config = read();
            config.jwt().secretBytes()[0] = 'X';
            assertThat(config.jwt().secretBytes()[0]).isEqualTo((byte) '0');
        }
    }

    @Nested
    class ListenAddress {
        @ParameterizedTest
        @CsvSource({
                ":8080, 0.0.0.0, 8080",
                ":0, 0.0.0.0, 0",
                "127.0.0.1:9000, 127.0.0.1, 9000",
                "localhost:65535, localhost, 65535",
                "LocalHost:443, LocalHost, 443",
                "[::1]:8080, ::1, 8080",
                "[::]:80, ::, 80",
                "0.0.0.0:00080, 0.0.0.0, 80",
        })
        void acceptsHostAndPort(String value, String host, int port) throws ConfigException {
            Config config = read("LISTEN_ADDR", value);
            assertThat(config.server().host()).isEqualTo(host);
            assertThat(config.server().port()).isEqualTo(port);
        }

        @ParameterizedTest
        @ValueSource(strings = {"8080", "localhost", "host:", ":", ":65536", ":-1", ":abc", ":+80", "::1:8080",
                "[::1]8080", "[]:80", "[127.0.0.1]:80", "a b:80", "http://host:80", ":123456", " :8080"})
        void refusesAnythingElse(String value) {
            assertThat(failure("LISTEN_ADDR", value).getMessage())
                    .startsWith("invalid LISTEN_ADDR=" + Env.quote(value) + ": ");
        }

        @ParameterizedTest
        @ValueSource(strings = {"999.999.999.999:18112", "no-such-host.invalid:18112", "256.0.0.1:80"})
        void refusesAHostThatDoesNotResolve(String value) {
            assertThat(failure("LISTEN_ADDR", value).getMessage())
                    .isEqualTo("invalid LISTEN_ADDR=" + Env.quote(value) + ": the host does not resolve to an address");
        }
    }

    @Nested
    class DatabaseDsnSetting {
        @Test
        void namesTheFile() throws ConfigException {
            assertThat(read("DATABASE_DSN", "file:/var/lib/chatapi/chat.db?mode=rwc").database().file())
                    .isEqualTo(Path.of("/var/lib/chatapi/chat.db"));
            assertThat(read("DATABASE_DSN", "jdbc:sqlite:data/chat.db").database().file())
                    .isEqualTo(Path.of("data/chat.db"));
            assertThat(read("DATABASE_DSN", "data/chat.db").database().file()).isEqualTo(Path.of("data/chat.db"));
        }

        @Test
        void droppedParametersAreNamedInAWarningWithoutTheirValues() throws ConfigException {
            Config config = read("DATABASE_DSN", "file:chat.db?_journal=WAL&_auth_pass=hunter2");
            assertThat(config.warnings()).singleElement().asString()
                    .contains("DATABASE_DSN", "_journal", "_auth_pass")
                    .doesNotContain("hunter2");
        }

        @Test
        void refusalNamesVariableAndPathButNotTheQuery() {
            ConfigException e = failure("DATABASE_DSN", "file:chat.db?mode=memory&_auth_pass=hunter2");
            assertThat(e.getMessage())
                    .isEqualTo("invalid DATABASE_DSN=\"file:chat.db\": in-memory databases are not supported; name a file");
        }

        @Test
        void aFileNameThatBeginsOrEndsWithWhiteSpaceIsRefusedForTheDriverWouldTrimIt() throws ConfigException {
            for (String dsn : List.of("chat.db ", " chat.db", "   ", "file:chat.db%20", "jdbc:sqlite:chat.db\t",
                    "data/ ")) {
                assertThat(failure("DATABASE_DSN", dsn).getMessage()).as(dsn).endsWith(
                        ": a database file name may not begin or end with a space or a control character");
            }
            assertThat(read("DATABASE_DSN", "my chat.db").database().file()).isEqualTo(Path.of("my chat.db"));
        }

        @Test
        void otherDatabasesAreRefused() {
            assertThat(failure("DATABASE_DSN", "postgres://db/chat").getMessage())
                    .startsWith("invalid DATABASE_DSN=\"postgres://db/chat\": only SQLite is supported");
            assertThat(failure("DATABASE_DSN", "jdbc:postgresql://db/chat").getMessage())
                    .startsWith("invalid DATABASE_DSN=\"jdbc:postgresql://db/chat\": only SQLite is supported");
        }

        @Test
        void refusalNeverEchoesCredentialsOfAnotherDatabase() {
            assertThat(failure("DATABASE_DSN", "mysql://user:hunter2@db/chat").getMessage())
                    .startsWith("invalid DATABASE_DSN=\"mysql://***@db/chat\"")
                    .doesNotContain("hunter2");
            assertThat(failure("DATABASE_DSN", "jdbc:postgresql://user:hunter2@db/chat").getMessage())
                    .startsWith("invalid DATABASE_DSN=\"jdbc:postgresql://***@db/chat\"")
                    .doesNotContain("hunter2");
        }

        @Test
        void aUrlThatWasNotUtf8TextIsRefusedWithoutItsCredentialsOrQuery() {
            ConfigException e = failure("DATABASE_DSN", "postgres://user:hunter2@db.example/chat?sslpassword=t0k\uFFFD",
                    "WEBHOOK_URL", "https://user:hunter2@app.example/hook?token=t0k\uFFFD");
            assertThat(e.getMessage()).contains("invalid DATABASE_DSN=\"postgres://***@db.example/chat\": holds bytes",
                    "invalid WEBHOOK_URL=\"https://***@app.example/hook\": holds bytes")
                    .doesNotContain("hunter2").doesNotContain("t0k");
        }

        @ParameterizedTest
        @CsvSource({"full, FULL", "FULL, FULL", "Normal, NORMAL", "NORMAL, NORMAL"})
        void synchronousIgnoresCase(String value, Config.Synchronous expected) throws ConfigException {
            assertThat(read("SQLITE_SYNCHRONOUS", value).database().synchronous()).isEqualTo(expected);
        }

        @ParameterizedTest
        @ValueSource(strings = {"OFF", "EXTRA", "1", "FULL "})
        void synchronousIsFullOrNormal(String value) {
            assertThat(failure("SQLITE_SYNCHRONOUS", value).getMessage())
                    .isEqualTo("invalid SQLITE_SYNCHRONOUS=" + Env.quote(value) + ": expected FULL or NORMAL");
        }
    }

    @Nested
    class AllowedOrigins {
        @Test
        void listIsSplitTrimmedAndNormalised() throws ConfigException {
            Config config = read("ALLOWED_ORIGINS",
                    " https://App.Example.com , http://localhost:3000,,HTTPS://x.example.com:443, http://y.example.com:80 ");
            assertThat(config.server().allowedOrigins()).containsExactlyInAnyOrder(
                    "https://app.example.com", "http://localhost:3000", "https://x.example.com", "http://y.example.com");
            assertThat(config.server().allowsAnyOrigin()).isFalse();
        }

        @Test
        void starAllowsEveryOrigin() throws ConfigException {
            Config config = read("ALLOWED_ORIGINS", "*");
            assertThat(config.server().allowedOrigins()).containsExactly("*");
            assertThat(config.server().allowsAnyOrigin()).isTrue();
        }

        @Test
        void aHostNameWithAnUnderscoreIsAnOriginAsBrowsersSendIt() throws ConfigException {
            assertThat(read("ALLOWED_ORIGINS", "https://My_App.local, http://web_ui:3000, http://a_b:80, "
                    + "http://app.my_svc:3000, https://dev.my_team.example.com").server().allowedOrigins())
                    .containsExactlyInAnyOrder("https://my_app.local", "http://web_ui:3000", "http://a_b",
                            "http://app.my_svc:3000", "https://dev.my_team.example.com");
            assertThat(failure("ALLOWED_ORIGINS", "https://my_app.local:99999").getMessage())
                    .contains("expected * or origins like");
            assertThat(failure("ALLOWED_ORIGINS", "https://my_app.local/").getMessage())
                    .contains("expected * or origins like");
        }

        @Test
        void anIpv6HostIsWrittenAsBrowsersWriteIt() throws ConfigException {
            assertThat(read("ALLOWED_ORIGINS", "https://[0:0:0:0:0:0:0:1]:8443, http://[::ffff:127.0.0.1]:3000, "
                    + "http://[2001:DB8:0:0:0:0:0:1]:3000, http://[2001:db8:0:0:1:0:0:1], http://[1:0:0:0:0:0:0:0], "
                    + "http://[::]:80, http://[0:0:1:2:3:4:5:6]").server().allowedOrigins())
                    .containsExactlyInAnyOrder("https://[::1]:8443", "http://[::ffff:7f00:1]:3000",
                            "http://[2001:db8::1]:3000", "http://[2001:db8::1:0:0:1]", "http://[1::]", "http://[::]",
                            "http://[::1:2:3:4:5:6]");
            assertThat(ConfigReader.ipv6("1:2:3:4:5:6:7:8")).isEqualTo("1:2:3:4:5:6:7:8");
            assertThat(ConfigReader.ipv6("1:0:3:4:5:6:7:8")).as("one zero group stays").isEqualTo("1:0:3:4:5:6:7:8");
            assertThat(ConfigReader.ipv6("::127.0.0.1")).isEqualTo("::7f00:1");
        }

        @Test
        void otherSchemesWithAHostAreOrigins() throws ConfigException {
            assertThat(read("ALLOWED_ORIGINS", "capacitor://localhost").server().allowedOrigins())
                    .containsExactly("capacitor://localhost");
        }

        @ParameterizedTest
        @ValueSource(strings = {"https://app.example.com/", "https://app.example.com/path", "app.example.com",
                "https://app.example.com?x=1", "https://user@app.example.com", "null", "https://a.com, nope",
                "https://a b.com", "https://app.example.com:99999", "https://app.example.com:0"})
        void refusesWhatIsNoOrigin(String value) {
            assertThat(failure("ALLOWED_ORIGINS", value).getMessage())
                    .startsWith("invalid ALLOWED_ORIGINS=" + Env.quote(value) + ": expected * or origins like");
        }
    }

    @Nested
    class Durations {
        @Test
        void unparseableDurationNamesVariableAndValue() {
            assertThat(failure("WORKER_INTERVAL", "abc").getMessage())
                    .isEqualTo("invalid WORKER_INTERVAL=\"abc\": expected a duration like 500ms, 30s or 5m");
        }

        @ParameterizedTest
        @ValueSource(strings = {"WORKER_INTERVAL", "SHUTDOWN_DRAIN_TIMEOUT", "JWT_LEEWAY", "SHUTDOWN_RECONNECT_MAX",
                "WEBHOOK_TIMEOUT", "LLM_CONNECT_TIMEOUT", "LLM_IDLE_TIMEOUT", "LLM_TOTAL_TIMEOUT"})
        void everyDurationRefusesNegativesAndBareNumbers(String name) {
            assertThat(failure(name, "-5s").getMessage()).isEqualTo("invalid " + name + "=\"-5s\": must not be negative");
            assertThat(failure(name, "30").getMessage())
                    .isEqualTo("invalid " + name + "=\"30\": expected a duration like 500ms, 30s or 5m");
        }

        @ParameterizedTest
        @ValueSource(strings = {"WEBHOOK_TIMEOUT", "LLM_CONNECT_TIMEOUT", "LLM_IDLE_TIMEOUT", "LLM_TOTAL_TIMEOUT"})
        void timeoutsMustBePositive(String name) {
            assertThat(failure(name, "0").getMessage()).isEqualTo("invalid " + name + "=\"0\": must be greater than 0");
        }

        @Test
        void theWorkerIntervalIsAtLeastTenMilliseconds() throws ConfigException {
            for (String tooShort : new String[] {"0", "1ns", "9ms"}) {
                assertThat(failure("WORKER_INTERVAL", tooShort).getMessage())
                        .isEqualTo("invalid WORKER_INTERVAL=\"" + tooShort + "\": must be at least 10ms (the worker polls the database)");
            }
            assertThat(read("WORKER_INTERVAL", "10ms").chat().workerInterval()).isEqualTo(Duration.ofMillis(10));
        }

        @Test
        void hugeDurationsAreOutOfRange() throws ConfigException {
            assertThat(failure("JWT_LEEWAY", "3000000h").getMessage())
                    .isEqualTo("invalid JWT_LEEWAY=\"3000000h\": out of range (at most about 292 years)");
            // Go's longest duration, which added to a clock reading would overflow it
            assertThat(failure("SHUTDOWN_DRAIN_TIMEOUT", "2562047h47m16.854775807s").getMessage()).isEqualTo(
                    "invalid SHUTDOWN_DRAIN_TIMEOUT=\"2562047h47m16.854775807s\": must be at most 876000h (100 years)");
            assertThat(failure("WORKER_INTERVAL", "876000h1ns").getMessage()).endsWith("must be at most 876000h (100 years)");
            assertThat(read("SHUTDOWN_DRAIN_TIMEOUT", "876000h").shutdown().drainTimeout())
                    .isEqualTo(Duration.ofHours(876_000));
        }

        @Test
        void zeroLeewayAndZeroDrainAreAllowed() throws ConfigException {
            Config config = read("JWT_LEEWAY", "0", "SHUTDOWN_DRAIN_TIMEOUT", "0s");
            assertThat(config.jwt().leeway()).isZero();
            assertThat(config.shutdown().drainTimeout()).isZero();
        }

        @Test
        void reconnectSpreadEndsNoEarlierThanItsOneSecondStart() throws ConfigException {
            assertThat(failure("SHUTDOWN_RECONNECT_MAX", "500ms").getMessage())
                    .isEqualTo("invalid SHUTDOWN_RECONNECT_MAX=\"500ms\": must be at least 1s");
            assertThat(read("SHUTDOWN_RECONNECT_MAX", "1s").shutdown().reconnectMax()).isEqualTo(Duration.ofSeconds(1));
        }

        @Test
        void goSyntaxIsAccepted() throws ConfigException {
            assertThat(read("WORKER_INTERVAL", "1m30s").chat().workerInterval()).isEqualTo(Duration.ofSeconds(90));
            assertThat(read("WORKER_INTERVAL", "1.5s").chat().workerInterval()).isEqualTo(Duration.ofMillis(1500));
            assertThat(read("WORKER_INTERVAL", "1h").chat().workerInterval()).isEqualTo(Duration.ofHours(1));
        }
    }

    @Nested
    class Numbers {
        @ParameterizedTest
        @ValueSource(strings = {"WS_MAX_CONNECTIONS_PER_USER", "RATE_LIMIT_MESSAGES_BURST", "MAX_FRAME_BYTES",
                "MAX_MESSAGE_CHARS", "MAX_BODY_BYTES", "RESUME_MAX_MESSAGES", "WEBHOOK_MAX_ATTEMPTS"})
        void countsAndSizesArePositiveWholeNumbers(String name) throws ConfigException {
            assertThat(failure(name, "0").getMessage()).isEqualTo("invalid " + name + "=\"0\": must be at least 1");
            assertThat(failure(name, "-3").getMessage()).isEqualTo("invalid " + name + "=\"-3\": must be at least 1");
            for (String bad : new String[] {"abc", "1.5", " 5", "5 ", "+5", "1e3", "0x10", "\u0665"}) {
                assertThat(failure(name, bad).getMessage())
                        .isEqualTo("invalid " + name + "=" + Env.quote(bad) + ": expected a whole number");
            }
            assertThat(failure(name, "99999999999").getMessage())
                    .isEqualTo("invalid " + name + "=\"99999999999\": number out of range");
            read(name, "1");
            read(name, "1073741824");
        }

        @ParameterizedTest
        @ValueSource(strings = {"WS_MAX_CONNECTIONS_PER_USER", "RATE_LIMIT_MESSAGES_BURST", "MAX_MESSAGE_CHARS",
                "RESUME_MAX_MESSAGES", "WEBHOOK_MAX_ATTEMPTS", "MAX_ROOM_MEMBERS"})
        void countsGoUpToTheLargestWholeNumber(String name) throws ConfigException {
            read(name, "2147483647");
        }

        @Test
        void aRoomHoldsAtLeastTwoMembers() throws ConfigException {
            assertThat(failure("MAX_ROOM_MEMBERS", "1").getMessage())
                    .isEqualTo("invalid MAX_ROOM_MEMBERS=\"1\": must be at least 2");
            assertThat(read("MAX_ROOM_MEMBERS", "2").chat().maxRoomMembers()).isEqualTo(2);
            assertThat(read().chat().maxRoomMembers()).isEqualTo(1_000);
        }

        @ParameterizedTest
        @ValueSource(strings = {"MAX_FRAME_BYTES", "MAX_BODY_BYTES"})
        void bufferedSizesAreAtMostOneGibibyte(String name) {
            assertThat(failure(name, "1073741825").getMessage())
                    .isEqualTo("invalid " + name + "=\"1073741825\": must be at most 1073741824");
            assertThat(failure(name, "2147483647").getMessage())
                    .isEqualTo("invalid " + name + "=\"2147483647\": must be at most 1073741824");
        }

        @ParameterizedTest
        @CsvSource({"0, 0.0", "10, 10.0", "0.5, 0.5", "2.25, 2.25", "007, 7.0"})
        void rateMayBeZeroOrFractional(String value, double expected) throws ConfigException {
            assertThat(read("RATE_LIMIT_MESSAGES", value).chat().rateLimitMessages()).isEqualTo(expected);
        }

        @Test
        void rateIsNeverNegativeNorNonsense() {
            assertThat(failure("RATE_LIMIT_MESSAGES", "-1").getMessage())
                    .isEqualTo("invalid RATE_LIMIT_MESSAGES=\"-1\": must not be negative");
            for (String bad : new String[] {"abc", "1e3", "NaN", "Infinity", ".5", "5.", "1,5"}) {
                assertThat(failure("RATE_LIMIT_MESSAGES", bad).getMessage())
                        .isEqualTo("invalid RATE_LIMIT_MESSAGES=" + Env.quote(bad) + ": expected a number like 10 or 0.5");
            }
            assertThat(failure("RATE_LIMIT_MESSAGES", "1234567890123456").getMessage()).isEqualTo(
                    "invalid RATE_LIMIT_MESSAGES=\"1234567890123456\": must have at most 15 digits before the point and "
                            + "15 after it");
            assertThat(failure("RATE_LIMIT_MESSAGES", "0.1234567890123456").getMessage()).endsWith("15 after it");
        }
    }

    @Nested
    class Booleans {
        @ParameterizedTest
        @ValueSource(strings = {"JWT_REQUIRE_EXP", "LLM_ALLOW_PRIVATE_NETWORKS"})
        void onlyTrueAndFalse(String name) throws ConfigException {
            for (String bad : new String[] {"TRUE", "True", "1", "0", "yes", "on", "t", "false "}) {
                assertThat(failure(name, bad).getMessage())
                        .isEqualTo("invalid " + name + "=" + Env.quote(bad) + ": expected true or false");
            }
            read(name, "true");
            read(name, "false");
        }
    }

    @Nested
    class Bots {
        @ParameterizedTest
        @CsvSource({"skip, SKIP", "proceed, PROCEED", "PROCEED, PROCEED"})
        void webhookFailurePolicy(String value, Config.BotWebhookFailure expected) throws ConfigException {
            assertThat(read("BOT_WEBHOOK_FAILURE", value).chat().botWebhookFailure()).isEqualTo(expected);
        }

        @Test
        void webhookFailurePolicyIsSkipOrProceed() {
            assertThat(failure("BOT_WEBHOOK_FAILURE", "retry").getMessage())
                    .isEqualTo("invalid BOT_WEBHOOK_FAILURE=\"retry\": expected skip or proceed");
        }

        @Test
        void badPatternNamesVariableAndValue() {
            assertThat(failure("LLM_KEY_ENV_PATTERN", "^(A").getMessage())
                    .startsWith("invalid LLM_KEY_ENV_PATTERN=\"^(A\": expected a Java regular expression (");
        }

        @ParameterizedTest
        @CsvSource({
                "OPENAI_API_KEY, true",
                "ANTHROPIC_API_KEY, true",
                "MY_LLM_2_API_KEY, true",
                "openai_api_key, false",
                "OPENAI_API_KEY_2, false",
                "X_OPENAI_API_KEY, true",
                "'OPENAI_API_KEY ', false",
                "_API_KEY, false",
                "JWT_SECRET, false",
                "PATH, false",
        })
        void keyVariablesFollowTheDefaultPattern(String name, boolean allowed) throws ConfigException {
            assertThat(read().llm().allowsKeyVariable(name)).isEqualTo(allowed);
        }

        @Test
        void serverSettingsAreNeverKeyVariablesWhateverThePattern() throws ConfigException {
            Config.Llm llm = read("LLM_KEY_ENV_PATTERN", ".*").llm();
            assertThat(llm.allowsKeyVariable("SOME_TOKEN")).isTrue();
            for (String name : Config.reservedSettingNames()) {
                assertThat(llm.allowsKeyVariable(name)).as(name).isFalse();
            }
        }

        @Test
        void patternMustMatchTheWholeName() throws ConfigException {
            Config.Llm llm = read("LLM_KEY_ENV_PATTERN", "KEY").llm();
            assertThat(llm.allowsKeyVariable("KEY")).isTrue();
            assertThat(llm.allowsKeyVariable("MY_KEY")).isFalse();
        }
    }

    @Nested
    class Webhook {
        @ParameterizedTest
        @ValueSource(strings = {"https://app.example.com/chatapi/webhook", "http://127.0.0.1:9000/hook",
                "HTTPS://APP.EXAMPLE.COM/x?token=abc", "http://[::1]:8000/"})
        void absoluteHttpUrlsAreAccepted(String value) throws ConfigException {
            assertThat(read("WEBHOOK_URL", value, "WEBHOOK_SECRET", "s").webhook().url()).contains(URI.create(value));
        }

        @ParameterizedTest
        @ValueSource(strings = {"/hook", "app.example.com/hook", "ftp://app.example.com/hook", "https://",
                "https:///hook", "mailto:ops@example.com", "https://app example.com/"})
        void anythingElseIsRefused(String value) {
            String shown = value.contains("@") ? "***" + value.substring(value.indexOf('@')) : value;
            assertThat(failure("WEBHOOK_URL", value).getMessage())
                    .startsWith("invalid WEBHOOK_URL=" + Env.quote(shown) + ": ");
        }

        @Test
        void aHostNameWithAnUnderscoreIsRefusedWithTheReason() {
            assertThat(failure("WEBHOOK_URL", "http://my_backend:8000/hook").getMessage())
                    .isEqualTo("invalid WEBHOOK_URL=\"http://my_backend:8000/hook\": the host name has an underscore, "
                            + "which the HTTP client cannot use: name the service without '_' (a network alias such "
                            + "as my-backend) or use its IP address");
        }

        @Test
        void anImpossiblePortIsRefused() {
            for (String port : new String[] {"0", "65536", "99999"}) {
                assertThat(failure("WEBHOOK_URL", "http://h:" + port + "/x").getMessage())
                        .isEqualTo("invalid WEBHOOK_URL=\"http://h:" + port + "/x\": the port must be between 1 and 65535");
            }
        }

        @Test
        void aRefusedUrlIsShownWithoutItsQueryFragmentOrCredentials() {
            assertThat(failure("WEBHOOK_URL", "https://h/x?api_key=SEKRET123#f").getMessage())
                    .isEqualTo("invalid WEBHOOK_URL=\"https://h/x\": a webhook URL has no #fragment");
            assertThat(failure("WEBHOOK_URL", "http://user:pa/ss@host/x").getMessage())
                    .startsWith("invalid WEBHOOK_URL=\"http://***@host/x\": ");
        }

        @Test
        void aPasswordHoldingAQueryOrFragmentCharacterIsNotShownInPart() {
            assertThat(ConfigReader.shownUrl("https://hookuser:hunter#2@app.example.com/hook")).isEqualTo("https://***");
            assertThat(ConfigReader.shownUrl("https://hookuser:hun?ter2@app.example.com/hook")).isEqualTo("https://***");
            assertThat(ConfigReader.shownUrl("postgres://app:s3cr#t@db:5432/chat")).isEqualTo("postgres://***");
            assertThat(ConfigReader.shownUrl("http:user:secret@host")).isEqualTo("***@host");
            assertThat(ConfigReader.shownUrl("user:secret@host/x?k=1")).isEqualTo("***@host/x");
            assertThat(ConfigReader.shownUrl("https://h/x?mail=a@b&key=SEKRET")).isEqualTo("https://***");
            assertThat(ConfigReader.shownUrl("https://h/x?key=SEKRET#f")).isEqualTo("https://h/x");
            for (String url : List.of("https://hookuser:hunter#2@app.example.com/hook",
                    "https://hookuser:hun?ter2@app.example.com/hook")) {
                assertThat(failure("WEBHOOK_URL", url).getMessage()).as(url).doesNotContain("hookuser")
                        .doesNotContain("hunter").startsWith("invalid WEBHOOK_URL=\"https://***\": ");
            }
            assertThat(failure("DATABASE_DSN", "postgresql://app:pa?ss@db/chat").getMessage())
                    .startsWith("invalid DATABASE_DSN=\"postgresql://***\": ").doesNotContain("app:");
        }

        @Test
        void credentialsInTheUrlAreRefusedWithoutEchoingThem() {
            assertThat(failure("WEBHOOK_URL", "https://ops:hunter2@app.example.com/hook").getMessage())
                    .isEqualTo("invalid WEBHOOK_URL=\"https://***@app.example.com/hook\": "
                            + "credentials in the URL are not supported; sign with WEBHOOK_SECRET");
        }

        @Test
        void standardWebhooksSecretMustCarryABase64Key() throws ConfigException {
            String good = "whsec_" + Base64.getEncoder().encodeToString("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8));
            assertThat(read("WEBHOOK_URL", "https://a.example.com/h", "WEBHOOK_SECRET", good).webhook().secret())
                    .contains(good);
            for (String bad : new String[] {"whsec_", "whsec_not base64!!", "whsec_a"}) {
                ConfigException e = failure("WEBHOOK_URL", "https://a.example.com/h", "WEBHOOK_SECRET", bad);
                assertThat(e.getMessage())
                        .isEqualTo("invalid WEBHOOK_SECRET: the part after whsec_ must be a non-empty base64 key");
            }
        }

        @Test
        void plainSecretIsTakenVerbatim() throws ConfigException {
            assertThat(read("WEBHOOK_URL", "https://a.example.com/h", "WEBHOOK_SECRET", "plain secret").webhook().secret())
                    .contains("plain secret");
        }

        @Test
        void halfConfiguredWebhookWarns() throws ConfigException {
            assertThat(read("WEBHOOK_SECRET", "s3cret-value").warnings()).singleElement().asString()
                    .contains("WEBHOOK_URL").doesNotContain("s3cret-value");
            assertThat(read("WEBHOOK_URL", "https://a.example.com/h").warnings()).singleElement().asString()
                    .contains("not be signed");
        }
    }

    @Nested
    class Reporting {
        @Test
        void everyProblemIsReportedAtOnceOnOneLine() {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> Config.fromEnvironment(Map.of(
                    "WORKER_INTERVAL", "abc", "MAX_FRAME_BYTES", "big", "JWT_REQUIRE_EXP", "yes")));
            assertThat(e.problems()).hasSize(4);
            assertThat(e.problems().get(0)).startsWith("JWT_SECRET is required");
            assertThat(e.getMessage()).doesNotContain("\n")
                    .contains("invalid WORKER_INTERVAL=\"abc\"", "invalid MAX_FRAME_BYTES=\"big\"",
                            "invalid JWT_REQUIRE_EXP=\"yes\"")
                    .isEqualTo(String.join("; ", e.problems()));
        }

        @Test
        void echoedValuesStayOnOneLineAndShort() {
            String message = failure("WORKER_INTERVAL", "5s\nINJECTED \"x\"\t\u0007").getMessage();
            assertThat(message).isEqualTo(
                    "invalid WORKER_INTERVAL=\"5s\\nINJECTED \\\"x\\\"\\t\\u0007\": expected a duration like 500ms, 30s or 5m");
            String longValue = "x".repeat(500);
            assertThat(failure("WORKER_INTERVAL", longValue).getMessage()).hasSizeLessThan(200).contains("…");
        }

        @Test
        void secretsNeverAppearInToString() throws ConfigException {
            Config config = read("WEBHOOK_URL", "https://a.example.com/h", "WEBHOOK_SECRET", "webhook-secret-value");
            assertThat(config.toString()).doesNotContain(SECRET).doesNotContain("webhook-secret-value")
                    .contains("<redacted>");
            assertThat(config.jwt().toString()).doesNotContain(SECRET);
        }

        @Test
        void warningsAreAnImmutableList() throws ConfigException {
            Config config = read("LLM_ALLOW_PRIVATE_NETWORKS", "true");
            assertThatThrownBy(() -> config.warnings().add("x")).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void reservedNamesAreEveryVariableOfTheContract() {
        assertThat(Config.reservedSettingNames()).containsExactlyInAnyOrder(
                "JWT_SECRET", "LISTEN_ADDR", "DATABASE_DSN", "ALLOWED_ORIGINS", "WEBHOOK_URL", "WEBHOOK_SECRET",
                "WS_MAX_CONNECTIONS_PER_USER", "RATE_LIMIT_MESSAGES", "RATE_LIMIT_MESSAGES_BURST", "WORKER_INTERVAL",
                "SHUTDOWN_DRAIN_TIMEOUT", "SQLITE_SYNCHRONOUS", "JWT_LEEWAY", "JWT_REQUIRE_EXP", "JWT_ISSUER",
                "JWT_AUDIENCE", "MAX_FRAME_BYTES", "MAX_MESSAGE_CHARS", "MAX_BODY_BYTES", "RESUME_MAX_MESSAGES",
                "SHUTDOWN_RECONNECT_MAX", "WEBHOOK_TIMEOUT", "WEBHOOK_MAX_ATTEMPTS", "BOT_WEBHOOK_FAILURE",
                "LLM_KEY_ENV_PATTERN", "LLM_ALLOW_PRIVATE_NETWORKS", "LLM_CONNECT_TIMEOUT", "LLM_IDLE_TIMEOUT",
                "LLM_TOTAL_TIMEOUT", "BOT_MAX_CONCURRENT_REPLIES", "MAX_ROOM_MEMBERS", "SOCKET_SEND_BUFFER_BYTES");
        assertThatThrownBy(() -> Config.reservedSettingNames().add("X")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void everyDefaultIsItselfValid() throws ConfigException {
        Map<String, String> env = new HashMap<>();
        for (Setting setting : Setting.values()) {
            if (setting.defaultValue() != null) {
                env.put(setting.name(), setting.defaultValue());
            }
        }
        env.put("JWT_SECRET", SECRET);
        assertThat(Config.fromEnvironment(env)).isEqualTo(read());
    }
}
