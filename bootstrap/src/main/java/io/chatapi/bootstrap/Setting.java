package io.chatapi.bootstrap;

/**
 * Every environment variable the server reads, with its default as the operator would write it (null: no
 * default). The constant's name is the variable's name.
 */
enum Setting {
    JWT_SECRET(null, Shown.NEVER),
    LISTEN_ADDR(":8080"),
    DATABASE_DSN("file:./chatapi.db", Shown.WITHOUT_CREDENTIALS),
    ALLOWED_ORIGINS(null),
    WEBHOOK_URL(null, Shown.WITHOUT_CREDENTIALS),
    WEBHOOK_SECRET(null, Shown.NEVER),
    WS_MAX_CONNECTIONS_PER_USER("5"),
    RATE_LIMIT_MESSAGES("10"),
    RATE_LIMIT_MESSAGES_BURST("20"),
    WORKER_INTERVAL("30s"),
    SHUTDOWN_DRAIN_TIMEOUT("10s"),
    SQLITE_SYNCHRONOUS("FULL"),
    JWT_LEEWAY("30s"),
    JWT_REQUIRE_EXP("false"),
    JWT_ISSUER(null),
    JWT_AUDIENCE(null),
    MAX_FRAME_BYTES("65536"),
    MAX_MESSAGE_CHARS("16000"),
    MAX_BODY_BYTES("1048576"),
    SOCKET_SEND_BUFFER_BYTES("0"),
    RESUME_MAX_MESSAGES("500"),
    MAX_ROOM_MEMBERS("1000"),
    SHUTDOWN_RECONNECT_MAX("10s"),
    WEBHOOK_TIMEOUT("10s"),
    WEBHOOK_MAX_ATTEMPTS("8"),
    BOT_WEBHOOK_FAILURE("skip"),
    LLM_KEY_ENV_PATTERN("^[A-Z][A-Z0-9_]*_API_KEY$"),
    LLM_ALLOW_PRIVATE_NETWORKS("false"),
    LLM_CONNECT_TIMEOUT("10s"),
    LLM_IDLE_TIMEOUT("60s"),
    LLM_TOTAL_TIMEOUT("5m"),
    BOT_MAX_CONCURRENT_REPLIES("256");

    /** How an error message may show a value. */
    enum Shown {
        AS_WRITTEN,
        /** A secret: a message names the variable, never its value. */
        NEVER,
        /** Without its query and the credentials a URL may carry ({@link ConfigReader#shownUrl}). */
        WITHOUT_CREDENTIALS
    }

    private final String defaultValue;
    private final Shown shown;

    Setting(String defaultValue) {
        this(defaultValue, Shown.AS_WRITTEN);
    }

    Setting(String defaultValue, Shown shown) {
        this.defaultValue = defaultValue;
        this.shown = shown;
    }

    /** The value used when the variable is unset or empty; null when there is none. */
    String defaultValue() {
        return defaultValue;
    }

    /** What of the value a message may show; null when nothing. */
    String shown(String value) {
        return switch (shown) {
            case AS_WRITTEN -> value;
            case NEVER -> null;
            case WITHOUT_CREDENTIALS -> ConfigReader.shownUrl(value);
        };
    }
}
