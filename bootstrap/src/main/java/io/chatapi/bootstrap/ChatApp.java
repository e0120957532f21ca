package io.chatapi.bootstrap;

import io.chatapi.adapters.llm.HttpLlmClient;
import io.chatapi.adapters.llm.LlmSettings;
import io.chatapi.adapters.sqlite.SqliteBotStore;
import io.chatapi.adapters.sqlite.SqliteDatabase;
import io.chatapi.adapters.sqlite.SqliteDeliveryStore;
import io.chatapi.adapters.sqlite.SqliteMessageStore;
import io.chatapi.adapters.sqlite.SqliteOwedReplyStore;
import io.chatapi.adapters.sqlite.SqlitePresenceStore;
import io.chatapi.adapters.sqlite.SqliteRoomStore;
import io.chatapi.adapters.sqlite.SqliteSettings;
import io.chatapi.adapters.webhook.HttpWebhookSender;
import io.chatapi.adapters.webhook.WebhookSettings;
import io.chatapi.adapters.ws.ChatServer;
import io.chatapi.adapters.ws.ConnectionRegistry;
import io.chatapi.adapters.ws.ListenFailedException;
import io.chatapi.adapters.ws.TransportSettings;
import io.chatapi.adapters.ws.UseCases;
import io.chatapi.application.ChatSettings;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.in.PresenceUseCase;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.application.service.AckService;
import io.chatapi.application.service.AdminService;
import io.chatapi.application.service.BotReplyService;
import io.chatapi.application.service.CachingBotStore;
import io.chatapi.application.service.CachingRoomStore;
import io.chatapi.application.service.EditMessageService;
import io.chatapi.application.service.HandoffService;
import io.chatapi.application.service.HistoryService;
import io.chatapi.application.service.ManageBotsService;
import io.chatapi.application.service.MemberLeaves;
import io.chatapi.application.service.MembershipService;
import io.chatapi.application.service.OfflineDeliveries;
import io.chatapi.application.service.OfflineRedeliveryWorker;
import io.chatapi.application.service.OrderedRoomEvents;
import io.chatapi.application.service.PresenceService;
import io.chatapi.application.service.RateLimiter;
import io.chatapi.application.service.RoomService;
import io.chatapi.application.service.SendMessageService;
import io.chatapi.application.service.TypingService;
import io.chatapi.application.service.UnsentMessagesService;
import io.chatapi.application.service.UserLimit;
import io.chatapi.application.service.WebhookOutboxWorker;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The whole server wired with {@code new}: configuration in, adapters around the use cases, and an
 * orderly stop. {@link Main} runs it; end-to-end tests start it the same way.
 */
public final class ChatApp implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChatApp.class.getName());
    /** How long past the drain budget a stop waits for the users online to be stored. */
    private static final Duration KEPT_GRACE = Duration.ofSeconds(5);
    private static final int OUTGOING_QUEUE_FRAMES = 1024;
    /** From an HTTP request line to the start of its answer: a 1 MiB body at 35 KB/s, far more than any handler. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final Config config;
    private final SqliteDatabase database;
    private final HttpWebhookSender webhook;
    private final HttpLlmClient llm;
    private final WebhookOutboxWorker outbox;
    private final OfflineRedeliveryWorker redelivery;
    private final PresenceService presence;
    private final BotReplyService bots;
    private final ChatServer server;
    private boolean closed;

    private ChatApp(Config config, Map<String, String> environment) {
        this.config = config;
        TimeSource clock = TimeSource.system();
        ServerMetrics metrics = new ServerMetrics();
        ChatSettings settings = chatSettings(config);

        ChatServer.checkListenable(transportSettings(config)); // a start that cannot listen makes no database
        database = SqliteDatabase.open(new SqliteSettings(config.database().file(),
                config.database().synchronous().name()));
        var rooms = new CachingRoomStore(new SqliteRoomStore(database));
        var messages = new SqliteMessageStore(database);
        var deliveries = new SqliteDeliveryStore(database);
        var botStore = new RoomsForgetDeletedBots(new CachingBotStore(new SqliteBotStore(database)), rooms);

        webhook = new HttpWebhookSender(new WebhookSettings(config.webhook().url().orElse(null),
                config.webhook().secret().orElse(null), config.webhook().timeout()));
        llm = new HttpLlmClient(new LlmSettings(config.llm().connectTimeout(), config.llm().idleTimeout(),
                config.llm().totalTimeout(), config.llm().allowPrivateNetworks(), name -> apiKey(environment, config.llm(), name)));

        var registry = new ConnectionRegistry(metrics);
        outbox = new WebhookOutboxWorker(deliveries, webhook, settings, metrics, clock,
                config.chat().workerInterval());
        var offline = new OfflineDeliveries(registry, webhook, deliveries, outbox::wake);
        var unsent = new UnsentMessagesService(rooms, messages, offline);
        redelivery = new OfflineRedeliveryWorker(deliveries, messages, rooms, registry, registry, unsent, settings,
                metrics, clock, config.chat().workerInterval());
        var ordered = new OrderedRoomEvents(registry, rooms);
        var roomChanges = new UserLimit(new RateLimiter(settings.rateLimitPerSecond(), settings.rateLimitBurst(), clock),
                metrics);
        var handoff = new HandoffService(rooms, offline, ordered, webhook, clock, settings.maxRoomMembers(),
                roomChanges);
        bots = new BotReplyService(rooms, messages, botStore, registry, ordered, webhook, llm, offline,
                new SqliteOwedReplyStore(database), clock, settings, metrics, config.llm().maxConcurrentReplies());
        bots.setHandoff(handoff::handToHuman);
        handoff.setBots(bots);
        botStore.setReplies(bots);
        presence = new PresenceService(rooms, new SqlitePresenceStore(database), registry, registry, clock,
                settings.presenceGrace());
        // Clients come back within SHUTDOWN_RECONNECT_MAX of a graceful stop; presence waits that and its grace.
        presence.resumeAfterRestart(config.shutdown().reconnectMax().plus(settings.presenceGrace()));
        var roomService = new RoomService(rooms, deliveries, botStore, bots, clock, settings.maxRoomMembers(),
                roomChanges);
        var admin = new AdminService(deliveries);
        var typing = new TypingService(rooms, registry, clock);
        var acks = new AckService(rooms, deliveries, registry);
        redelivery.setAcknowledged(acks::acknowledged);
        MemberLeaves leaves = typing::memberLeft;
        var useCases = new UseCases(roomService, roomService, roomService,
                new MembershipService(rooms, botStore, clock, bots, leaves, settings.maxRoomMembers(), roomChanges),
                new SendMessageService(rooms, messages, offline, ordered,
                        new RateLimiter(settings.rateLimitPerSecond(), settings.rateLimitBurst(), clock), handoff, bots,
                        clock, settings, metrics),
                new EditMessageService(rooms, messages, registry, clock, settings, new UserLimit(
                        new RateLimiter(settings.rateLimitPerSecond(), settings.rateLimitBurst(), clock), metrics),
                        bots),
                new HistoryService(rooms, messages, deliveries, settings),
                acks,
                typing,
                new PresenceUseCase() {
                    @Override
                    public void firstConnectionOpened(String userId) {
                        presence.firstConnectionOpened(userId);
                    }

                    @Override
                    public void lastConnectionClosed(String userId) {
                        try {
                            typing.connectionClosed(userId); // members stop showing the user typing at once
                        } finally {
                            presence.lastConnectionClosed(userId);
                        }
                    }

                    @Override
                    public void connectionClosed(String userId) {
                        typing.connectionClosed(userId); // the connection that sent a start may be the one gone
                    }
                },
                new ManageBotsService(botStore, llm, config.llm().keyEnvPattern(), Config.reservedSettingNames(), clock),
                handoff, bots, admin, admin, unsent);
        outbox.start();
        redelivery.start();
        // The health probe's write path (Jdbi, the writer, the first commit) while the web server starts.
        Thread.ofPlatform().name("warm-up-db").daemon().start(() -> {
            if (!admin.databaseWritable()) {
                LOG.warning("the database did not take a write within 2 s: /health answers 503 until it does "
                        + "(check that the disk has room and the file and its directory are writable by this user; "
                        + "if another process holds the database's write lock, writes wait for it)");
            }
        });
        try {
            server = ChatServer.start(transportSettings(config), useCases, registry, metrics);
        } catch (ListenFailedException e) {
            stopBehindTheServer();
            throw e;
        }
        bots.resumeOwed(); // the replies the last graceful stop cut short, now that their clients can come back
        LOG.info(() -> "database " + config.database().file().toAbsolutePath().normalize() + ", synchronous="
                + config.database().synchronous());
    }

    /**
     * Reads the configuration from {@code environment} (production passes {@code System.getenv()}) and starts
     * the server; bots' API keys are looked up in the same map.
     *
     * @throws ListenFailedException when {@code LISTEN_ADDR} cannot be bound (everything started is stopped)
     */
    public static ChatApp start(Map<String, String> environment) throws ConfigException {
        // Helidon's class initialisation (about 100 ms) on the second core while the database opens.
        Thread.ofPlatform().name("warm-up").daemon().start(ChatServer::warmUp);
        Config config = Config.fromEnvironment(environment);
        for (String warning : config.warnings()) {
            LOG.logp(java.util.logging.Level.WARNING, ChatApp.class.getName(), "start", warning);
        }
        return new ChatApp(config, Map.copyOf(environment));
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return server.port();
    }

    /**
     * Stops in order, within one {@code SHUTDOWN_DRAIN_TIMEOUT}: end streaming bot replies (their text stored,
     * the streams ended), then stop taking client messages, tell every socket {@code server.shutdown} and close
     * it (1012) and stop the web server, then keep the bot replies the stop cut short or kept from starting, stop
     * the workers, drain queued writes into the database, close it. Who was online is stored beside all this, for
     * the presence carried over the restart.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long start = System.nanoTime();
        // one budget for the replies and the sockets together
        Instant deadline = Instant.now().plus(config.shutdown().drainTimeout());
        long deadlineNanos = start + config.shutdown().drainTimeout().toNanos();
        // when the users online were stored: taken as that happens, not when the stop comes to wait for it
        var kept = presence.keepForRestart().thenApply(done -> System.nanoTime());
        bots.shutdown(deadline);
        long replies = System.nanoTime();
        server.stop(deadlineNanos);
        long sockets = System.nanoTime();
        bots.keepOwedForRestart(); // after the sockets: a send the stop finished may owe a reply too
        long keptAt = keptBy(kept, deadlineNanos + KEPT_GRACE.toNanos());
        stopBehindTheServer();
        long end = System.nanoTime();
        LOG.info(() -> "stopped in " + millis(end - start) + " ms (bot replies ended " + millis(replies - start)
                + " ms, sockets closed and web server stopped " + millis(sockets - replies)
                + " ms, presence kept after " + millis(keptAt - start) + " ms, workers and database "
                + millis(end - Math.max(sockets, keptAt)) + " ms)");
    }

    /**
     * When the users online were stored for the restart, or now when that was not done by {@code deadlineNanos}:
     * a database that no longer takes writes (its writer thread ended by an {@code OutOfMemoryError}, say) must
     * not keep the stop from ending.
     */
    static long keptBy(CompletableFuture<Long> kept, long deadlineNanos) {
        try {
            return kept.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warning("the users online were not stored for the restart: the database did not take the write in"
                    + " time; they are announced again as they reconnect");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return System.nanoTime();
    }

    /** Stops what runs behind the web server: presence timers, the workers, the HTTP clients, the database last. */
    private void stopBehindTheServer() {
        presence.close();
        redelivery.stop();
        outbox.stop();
        webhook.close();
        llm.close();
        database.close();
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /**
     * The key a bot's variable holds, read at call time. A bot created under a wider {@code LLM_KEY_ENV_PATTERN}
     * than the current one gets no key: the pattern is checked at every call, not only when the bot was created.
     */
    private static String apiKey(Map<String, String> environment, Config.Llm llm, String variable) {
        if (!llm.allowsKeyVariable(variable)) {
            LOG.warning(() -> "a bot names " + variable + " for its API key, which LLM_KEY_ENV_PATTERN does not"
                    + " allow (or which is a server setting): calling its LLM without a key");
            return null;
        }
        return environment.get(variable);
    }

    private static ChatSettings chatSettings(Config config) {
        var chat = config.chat();
        return new ChatSettings(chat.maxMessageChars(), chat.rateLimitMessages(), chat.rateLimitBurst(),
                chat.resumeMaxMessages(), 5, config.webhook().maxAttempts(), chat.workerInterval(),
                Duration.ofSeconds(5), chat.botWebhookFailure() == Config.BotWebhookFailure.PROCEED,
                chat.maxRoomMembers());
    }

    private static TransportSettings transportSettings(Config config) {
        var server = config.server();
        var jwt = config.jwt();
        return new TransportSettings(server.host(), server.port(), jwt.secretBytes(), jwt.leeway(), jwt.requireExp(),
                jwt.issuer().orElse(null), jwt.audience().orElse(null), server.allowedOrigins(),
                server.maxConnectionsPerUser(), server.maxFrameBytes(), server.maxBodyBytes(),
                server.socketSendBufferBytes(),
                Duration.ofSeconds(25), Duration.ofSeconds(60), REQUEST_TIMEOUT, TransportSettings.answerBudgetForThisProcess(),
                OUTGOING_QUEUE_FRAMES,
                config.shutdown().drainTimeout(), config.shutdown().reconnectMax());
    }
}
