package io.chatapi.bootstrap;

import static io.chatapi.bootstrap.Setting.*;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Builds a {@link Config} from environment variables: one read, every problem reported together. */
final class ConfigReader {
    static final int MIN_SECRET_BYTES = 32;
    /** A frame or body is held in memory whole: 1 GiB is the most either limit may be set to. */
    static final int MAX_BUFFERED_BYTES = 1 << 30;
    /** The largest socket send buffer one may ask for (Linux caps it at {@code net.core.wmem_max} anyway). */
    static final int MAX_SEND_BUFFER_BYTES = 64 << 20;
    private static final Duration ONE_NANO = Duration.ofNanos(1);
    private static final String POSITIVE = "must be greater than 0";

    private final Env env;
    private final List<String> warnings = new ArrayList<>();

    ConfigReader(Map<String, String> environment) {
        this.env = new Env(environment);
    }

    Config read() throws ConfigException {
        Config.Jwt jwt = jwt();
        Config.Server server = server();
        Config.Database database = database();
        Config.Webhook webhook = webhook();
        Config.Chat chat = chat();
        Config.Shutdown shutdown = new Config.Shutdown(
                env.duration(SHUTDOWN_DRAIN_TIMEOUT, Duration.ZERO, ""),
                env.duration(SHUTDOWN_RECONNECT_MAX, Duration.ofSeconds(1), "must be at least 1s"));
        Config.Llm llm = llm();
        env.throwIfProblems();
        return new Config(server, jwt, database, webhook, chat, shutdown, llm, warnings);
    }

    private Config.Server server() {
        ListenAddress listen = env.parse(LISTEN_ADDR, ListenAddress::parse);
        Set<String> origins = env.parseOptional(ALLOWED_ORIGINS, ConfigReader::origins).orElse(Set.of());
        return new Config.Server(listen.host(), listen.port(), origins,
                env.integer(WS_MAX_CONNECTIONS_PER_USER, 1),
                env.integer(MAX_FRAME_BYTES, 1, MAX_BUFFERED_BYTES),
                env.integer(MAX_BODY_BYTES, 1, MAX_BUFFERED_BYTES),
                env.integer(SOCKET_SEND_BUFFER_BYTES, 0, MAX_SEND_BUFFER_BYTES));
    }

    private Config.Jwt jwt() {
        Optional<String> secret = env.optional(JWT_SECRET);
        if (secret.isEmpty()) {
            if (!env.notText(JWT_SECRET)) {
                env.problem("JWT_SECRET is required: the HS256 key shared with the application that issues tokens "
                        + "(for example JWT_SECRET=$(openssl rand -hex 32))");
            }
        } else if (secret.get().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            warnings.add("JWT_SECRET is shorter than " + MIN_SECRET_BYTES + " bytes; use at least " + MIN_SECRET_BYTES
                    + " random bytes (for example: openssl rand -hex 32)");
        }
        return new Config.Jwt(secret.orElse(""),
                env.duration(JWT_LEEWAY, Duration.ZERO, ""),
                env.bool(JWT_REQUIRE_EXP),
                env.optional(JWT_ISSUER),
                env.optional(JWT_AUDIENCE));
    }

    private Config.Database database() {
        DatabaseDsn dsn = env.parse(DATABASE_DSN, text -> {
            try {
                return DatabaseDsn.parse(text);
            } catch (IllegalArgumentException e) {
                env.invalid(DATABASE_DSN, text, e.getMessage());
                return DatabaseDsn.parse(DATABASE_DSN.defaultValue());
            }
        });
        if (!dsn.ignoredParameters().isEmpty()) {
            warnings.add("DATABASE_DSN parameters ignored (" + String.join(", ", dsn.ignoredParameters())
                    + "): the server sets its own pragmas (WAL; SQLITE_SYNCHRONOUS for synchronous)");
        }
        return new Config.Database(dsn.file(),
                env.choice(SQLITE_SYNCHRONOUS, Config.Synchronous.class, "expected FULL or NORMAL"));
    }

    private Config.Webhook webhook() {
        Optional<URI> url = Optional.empty();
        Optional<String> rawUrl = env.optional(WEBHOOK_URL);
        if (rawUrl.isPresent()) {
            try {
                url = Optional.of(webhookUrl(rawUrl.get()));
            } catch (IllegalArgumentException e) {
                env.invalid(WEBHOOK_URL, rawUrl.get(), e.getMessage());
            }
        }
        Optional<String> secret = env.optional(WEBHOOK_SECRET);
        secret.ifPresent(s -> {
            if (s.startsWith("whsec_") && !isBase64Key(s.substring("whsec_".length()))) {
                env.invalid(WEBHOOK_SECRET, s, "the part after whsec_ must be a non-empty base64 key");
            }
        });
        if (secret.isPresent() && rawUrl.isEmpty()) {
            warnings.add("WEBHOOK_SECRET is set but WEBHOOK_URL is not: no webhook will be called");
        } else if (secret.isEmpty() && rawUrl.isPresent()) {
            warnings.add("WEBHOOK_URL is set without WEBHOOK_SECRET: webhook requests will not be signed");
        }
        return new Config.Webhook(url, secret,
                env.duration(WEBHOOK_TIMEOUT, ONE_NANO, POSITIVE),
                env.integer(WEBHOOK_MAX_ATTEMPTS, 1));
    }

    private Config.Chat chat() {
        return new Config.Chat(
                env.integer(MAX_MESSAGE_CHARS, 1),
                env.decimal(RATE_LIMIT_MESSAGES, 0),
                env.integer(RATE_LIMIT_MESSAGES_BURST, 1),
                env.integer(RESUME_MAX_MESSAGES, 1),
                env.integer(MAX_ROOM_MEMBERS, 2),
                env.duration(WORKER_INTERVAL, Duration.ofMillis(10), "must be at least 10ms (the worker polls the database)"),
                env.choice(BOT_WEBHOOK_FAILURE, Config.BotWebhookFailure.class, "expected skip or proceed"));
    }

    private Config.Llm llm() {
        Pattern pattern = env.parse(LLM_KEY_ENV_PATTERN, text -> {
            try {
                return Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("expected a Java regular expression (" + e.getDescription() + ")", e);
            }
        });
        boolean allowPrivate = env.bool(LLM_ALLOW_PRIVATE_NETWORKS);
        if (allowPrivate) {
            warnings.add("LLM_ALLOW_PRIVATE_NETWORKS=true: bots may reach loopback and private network addresses");
        }
        return new Config.Llm(pattern, allowPrivate,
                env.duration(LLM_CONNECT_TIMEOUT, ONE_NANO, POSITIVE),
                env.duration(LLM_IDLE_TIMEOUT, ONE_NANO, POSITIVE),
                env.duration(LLM_TOTAL_TIMEOUT, ONE_NANO, POSITIVE),
                env.integer(BOT_MAX_CONCURRENT_REPLIES, 1));
    }

    /** Comma-separated origins, trimmed; {@code *} or {@code scheme://host[:port]}, normalised as browsers send them. */
    static Set<String> origins(String text) {
        Set<String> origins = new LinkedHashSet<>();
        for (String item : text.split(",")) {
            String origin = item.strip();
            if (origin.isEmpty()) {
                continue;
            }
            origins.add(origin.equals("*") ? origin : origin(origin));
        }
        return Set.copyOf(origins);
    }

    /** A host name with an underscore, and a port: what Java's URI leaves as a registry-based authority. */
    private static final Pattern UNDERSCORE_AUTHORITY =
            Pattern.compile("([A-Za-z0-9.-]*_[A-Za-z0-9_.-]*)(?::(\\d{1,5}))?");

    private static String origin(String text) {
        String expected = "expected * or origins like https://app.example.com (scheme://host[:port], no path)";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(expected, e);
        }
        boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
                && uri.getRawFragment() == null;
        String host = uri.getHost();
        int port = uri.getPort();
        if (host == null && uri.getScheme() != null && bare && uri.getRawAuthority() != null) {
            // Java's URI takes no underscore in a host name; browsers do (a Docker service name, say), and an
            // origin is only ever compared as text
            Matcher named = UNDERSCORE_AUTHORITY.matcher(uri.getRawAuthority());
            if (named.matches()) {
                host = named.group(1);
                port = named.group(2) == null ? -1 : Integer.parseInt(named.group(2));
            }
        }
        boolean onlyOrigin = uri.getScheme() != null && host != null && uri.getRawUserInfo() == null
                && (port == -1 || port >= 1 && port <= 65535) && bare;
        if (!onlyOrigin) {
            throw new IllegalArgumentException(expected);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean defaultPort = ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        String name = host.startsWith("[") ? "[" + ipv6(host.substring(1, host.length() - 1)) + "]"
                : host.toLowerCase(Locale.ROOT);
        return scheme + "://" + name + (port < 0 || defaultPort ? "" : ":" + port);
    }

    /**
     * An IPv6 address as browsers write it in an origin (the WHATWG URL standard's serialisation, RFC 5952's form
     * but for an IPv4 tail): eight groups in lower-case hex without leading zeros, the first longest run of two or
     * more zero groups written {@code ::}; {@code [0:0:0:0:0:0:0:1]} is {@code [::1]} and {@code [::ffff:127.0.0.1]}
     * is {@code [::ffff:7f00:1]}.
     */
    static String ipv6(String literal) {
        if (!literal.matches("[0-9A-Fa-f:.]+") || literal.indexOf(':') < 0) {
            throw new IllegalArgumentException("not an IPv6 address: " + literal);
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(literal).getAddress(); // checked above to be a literal: nothing is looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: " + literal, e);
        }
        if (bytes.length == 4) { // Java reads an IPv4-mapped address (::ffff:a.b.c.d) as the IPv4 address
            bytes = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff,
                    bytes[0], bytes[1], bytes[2], bytes[3]};
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
        }
        int runStart = -1;
        int runLength = 1; // a run must be longer than one group
        for (int i = 0; i < 8; ) {
            int end = i;
            while (end < 8 && groups[end] == 0) {
                end++;
            }
            if (end - i > runLength) {
                runStart = i;
                runLength = end - i;
            }
            i = end == i ? i + 1 : end;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == runStart) {
                out.append(i == 0 ? "::" : ":");
                i += runLength - 1;
                continue;
            }
            out.append(Integer.toHexString(groups[i]));
            if (i < 7) {
                out.append(':');
            }
        }
        return out.toString();
    }

    /**
     * Why a host name with an underscore (a Docker Compose service name, say) is refused: it is no valid host name
     * (RFC 1123), and Java's URI and HTTP client take none.
     */
    private static final String UNDERSCORE_HOST = "the host name has an underscore, which the HTTP client cannot "
            + "use: name the service without '_' (a network alias such as my-backend) or use its IP address";

    private static URI webhookUrl(String text) {
        String expected = "expected an absolute http(s) URL like https://app.example.com/chatapi/webhook";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(expected, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() == null
                && uri.getRawAuthority() != null && uri.getRawAuthority().contains("_")) {
            throw new IllegalArgumentException(UNDERSCORE_HOST);
        }
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException(expected);
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("credentials in the URL are not supported; sign with WEBHOOK_SECRET");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a webhook URL has no #fragment");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65_535) {
            throw new IllegalArgumentException("the port must be between 1 and 65535");
        }
        return uri;
    }

    /**
     * A URL (or DSN) as an error message may show it: without its query and fragment (tokens and other drivers'
     * passwords travel there) and with everything between {@code ://} (or the start, without one) and the last
     * {@code @} hidden. Where a {@code ?} or {@code #} comes before that {@code @}, in a password or because the
     * {@code @} is in the query, nothing after the {@code ://} is shown.
     */
    static String shownUrl(String text) {
        int at = text.lastIndexOf('@');
        if (at < 0) {
            return text.split("[?#]", 2)[0];
        }
        int slashes = text.indexOf("://");
        int start = slashes >= 0 && slashes < at ? slashes + 3 : 0;
        String hidden = text.substring(start, at);
        if (hidden.indexOf('?') >= 0 || hidden.indexOf('#') >= 0) {
            return text.substring(0, start) + "***";
        }
        return text.substring(0, start) + "***" + text.substring(at).split("[?#]", 2)[0];
    }

    private static boolean isBase64Key(String text) {
        try {
            return Base64.getDecoder().decode(text).length > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code LISTEN_ADDR}: {@code host:port}, {@code :port} (every interface) or {@code [ipv6]:port}. */
    record ListenAddress(String host, int port) {
        static final String ALL_INTERFACES = "0.0.0.0";

        /** The server binds to the host's address: one that does not resolve is a bad value, found at start. */
        private static void resolve(String host) {
            try {
                InetAddress.getByName(host);
            } catch (UnknownHostException | SecurityException e) {
                throw new IllegalArgumentException("the host does not resolve to an address", e);
            }
        }

        static ListenAddress parse(String text) {
            String expected = "expected host:port or :port, like :8080 or 127.0.0.1:8080";
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(expected);
            }
            String host = text.substring(0, colon);
            String port = text.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
                host = host.substring(1, host.length() - 1);
                if (!host.contains(":")) {
                    throw new IllegalArgumentException(expected);
                }
            } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
                throw new IllegalArgumentException(expected + " (write an IPv6 host in brackets: [::1]:8080)");
            }
            if (!host.matches("[A-Za-z0-9.:%_-]*")) {
                throw new IllegalArgumentException(expected);
            }
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65_535) {
                throw new IllegalArgumentException("port must be a number from 0 to 65535");
            }
            if (!host.isEmpty()) {
                resolve(host);
            }
            return new ListenAddress(host.isEmpty() ? ALL_INTERFACES : host, Integer.parseInt(port));
        }
    }
}
