package io.chatapi.bootstrap;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The server's settings, read once from the environment at start and validated; see docs/configuration.md.
 * Build it with {@link #fromEnvironment(Map)}; {@link #warnings()} lists what the operator should hear about
 * (the caller logs them). {@code toString} never shows a secret.
 */
public record Config(Server server, Jwt jwt, Database database, Webhook webhook, Chat chat, Shutdown shutdown,
                     Llm llm, List<String> warnings) {
    private static final Set<String> RESERVED = Arrays.stream(Setting.values())
            .map(Setting::name)
            .collect(Collectors.toUnmodifiableSet());

    public Config {
        Objects.requireNonNull(server);
        Objects.requireNonNull(jwt);
        Objects.requireNonNull(database);
        Objects.requireNonNull(webhook);
        Objects.requireNonNull(chat);
        Objects.requireNonNull(shutdown);
        Objects.requireNonNull(llm);
        warnings = List.copyOf(warnings);
    }

    /**
     * Reads and validates every setting; production passes {@code System.getenv()}. Throws when a required
     * variable is missing or any value is bad, naming every offending variable in one line.
     */
    public static Config fromEnvironment(Map<String, String> environment) throws ConfigException {
        return new ConfigReader(environment).read();
    }

    /** The names of every variable the server reads: a bot may never name one as its API key variable. */
    public static Set<String> reservedSettingNames() {
        return RESERVED;
    }

    /**
     * The HTTP/WebSocket listener and its per-connection limits.
     *
     * @param host           interface to bind; {@code 0.0.0.0} (all) when {@code LISTEN_ADDR} has no host
     * @param port           0..65535; 0 picks a free port
     * @param allowedOrigins browser origins (lower-case {@code scheme://host[:port]}, default port dropped);
     *                       empty: none; containing {@code *}: any
     * @param socketSendBufferBytes each accepted socket's kernel send buffer; 0: sized by the kernel
     */
    public record Server(String host, int port, Set<String> allowedOrigins, int maxConnectionsPerUser,
                         int maxFrameBytes, int maxBodyBytes, int socketSendBufferBytes) {
        public Server {
            Objects.requireNonNull(host);
            allowedOrigins = Set.copyOf(allowedOrigins);
        }

        /** True when {@code ALLOWED_ORIGINS} contains {@code *}. */
        public boolean allowsAnyOrigin() {
            return allowedOrigins.contains("*");
        }
    }

    /** Token checks: the HS256 key, clock-skew allowance, and the optional claim requirements. */
    public record Jwt(String secret, Duration leeway, boolean requireExp, Optional<String> issuer,
                      Optional<String> audience) {
        public Jwt {
            Objects.requireNonNull(secret);
            Objects.requireNonNull(leeway);
            Objects.requireNonNull(issuer);
            Objects.requireNonNull(audience);
        }

        /** The HS256 key: the UTF-8 bytes of {@code JWT_SECRET} (a fresh array each call). */
        public byte[] secretBytes() {
            return secret.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Jwt[secret=<redacted>, leeway=" + leeway + ", requireExp=" + requireExp + ", issuer=" + issuer
                    + ", audience=" + audience + "]";
        }
    }

    /** The SQLite file and how hard each commit is synced. */
    public record Database(Path file, Synchronous synchronous) {
        public Database {
            Objects.requireNonNull(file);
            Objects.requireNonNull(synchronous);
        }
    }

    /** SQLite's {@code synchronous} pragma; the journal is always WAL. */
    public enum Synchronous { FULL, NORMAL }

    /**
     * The application's webhook. Without a URL nothing is sent; without a secret requests are unsigned.
     *
     * @param maxAttempts outbox attempts before a delivery becomes a dead letter
     */
    public record Webhook(Optional<URI> url, Optional<String> secret, Duration timeout, int maxAttempts) {
        public Webhook {
            Objects.requireNonNull(url);
            Objects.requireNonNull(secret);
            Objects.requireNonNull(timeout);
        }

        /** True when {@code WEBHOOK_URL} is set. */
        public boolean enabled() {
            return url.isPresent();
        }

        @Override
        public String toString() {
            return "Webhook[url=" + url + ", secret=" + secret.map(s -> "<redacted>") + ", timeout=" + timeout
                    + ", maxAttempts=" + maxAttempts + "]";
        }
    }

    /**
     * Limits and policies of the messaging use cases.
     *
     * @param maxMessageChars    longest content, in UTF-16 code units
     * @param rateLimitMessages  sustained sends per second per user (may be fractional); 0 disables the limit
     * @param rateLimitBurst     token-bucket capacity
     * @param resumeMaxMessages  most messages one resume replays per room
     * @param maxRoomMembers     most members of one room
     * @param workerInterval     period of the offline-delivery worker
     * @param botWebhookFailure  what a bot does when its {@code bot.context} call fails
     */
    public record Chat(int maxMessageChars, double rateLimitMessages, int rateLimitBurst, int resumeMaxMessages,
                       int maxRoomMembers, Duration workerInterval, BotWebhookFailure botWebhookFailure) {
        public Chat {
            Objects.requireNonNull(workerInterval);
            Objects.requireNonNull(botWebhookFailure);
        }
    }

    /** {@code BOT_WEBHOOK_FAILURE}: stay silent, or call the LLM without a system prompt. */
    public enum BotWebhookFailure { SKIP, PROCEED }

    /**
     * Graceful stop.
     *
     * @param drainTimeout  budget for the whole stop
     * @param reconnectMax  the window within which every client is told to be back after a stop ({@code reconnect_after_ms} lies between 1 s and it)
     */
    public record Shutdown(Duration drainTimeout, Duration reconnectMax) {
        public Shutdown {
            Objects.requireNonNull(drainTimeout);
            Objects.requireNonNull(reconnectMax);
        }
    }

    /**
     * Bot LLM calls: which variables may hold API keys, network reach, time limits, and how many replies may run
     * at once ({@code maxConcurrentReplies}; one bot holds at most three quarters of them).
     */
    public record Llm(Pattern keyEnvPattern, boolean allowPrivateNetworks, Duration connectTimeout,
                      Duration idleTimeout, Duration totalTimeout, int maxConcurrentReplies) {
        public Llm {
            Objects.requireNonNull(keyEnvPattern);
            Objects.requireNonNull(connectTimeout);
            Objects.requireNonNull(idleTimeout);
            Objects.requireNonNull(totalTimeout);
        }

        /** True when a bot may name this variable: the whole name matches the pattern and it is no server setting. */
        public boolean allowsKeyVariable(String name) {
            return keyEnvPattern.matcher(name).matches() && !RESERVED.contains(name);
        }

        /** Patterns are equal when written alike with the same flags ({@link Pattern} itself compares by identity). */
        @Override
        public boolean equals(Object other) {
            return other instanceof Llm that
                    && keyEnvPattern.pattern().equals(that.keyEnvPattern.pattern())
                    && keyEnvPattern.flags() == that.keyEnvPattern.flags()
                    && allowPrivateNetworks == that.allowPrivateNetworks
                    && connectTimeout.equals(that.connectTimeout)
                    && idleTimeout.equals(that.idleTimeout)
                    && totalTimeout.equals(that.totalTimeout)
                    && maxConcurrentReplies == that.maxConcurrentReplies;
        }

        @Override
        public int hashCode() {
            return Objects.hash(keyEnvPattern.pattern(), allowPrivateNetworks, connectTimeout, idleTimeout, totalTimeout,
                    maxConcurrentReplies);
        }
    }
}
