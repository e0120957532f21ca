package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.auth.JwtVerifier;
import io.chatapi.adapters.ws.auth.OriginPolicy;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.adapters.ws.rest.AnswerBytes;
import io.chatapi.adapters.ws.rest.AnswerWatch;
import io.chatapi.adapters.ws.rest.AuthFilter;
import io.chatapi.adapters.ws.rest.BotRoutes;
import io.chatapi.adapters.ws.rest.CorsFilter;
import io.chatapi.adapters.ws.rest.DirectAnswers;
import io.chatapi.adapters.ws.rest.FallbackRoutes;
import io.chatapi.adapters.ws.rest.HandshakeFilter;
import io.chatapi.adapters.ws.rest.IdentityDecoding;
import io.chatapi.adapters.ws.rest.MessageRoutes;
import io.chatapi.adapters.ws.rest.OpsRoutes;
import io.chatapi.adapters.ws.rest.OtherHttpVersions;
import io.chatapi.adapters.ws.rest.Refusals;
import io.chatapi.adapters.ws.rest.RequestBodies;
import io.chatapi.adapters.ws.rest.RequestLogFilter;
import io.chatapi.adapters.ws.rest.RequestTargetFilter;
import io.chatapi.adapters.ws.rest.RequestsInFlight;
import io.chatapi.adapters.ws.rest.RoomRoutes;
import io.chatapi.adapters.ws.rest.SocketOriginRelay;
import io.chatapi.adapters.ws.rest.UnreadBodyFilter;
import io.chatapi.application.ServerMetrics;
import io.helidon.http.DirectHandler;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Helidon server: the REST API and the {@code /ws} WebSocket endpoint on one port, with {@code TCP_NODELAY} and
 * Helidon's blocking (non-NIO) sockets, which hold less memory per connection.
 * {@link #stop()} is graceful: every socket is told {@code server.shutdown} (with a reconnect delay spread
 * between 1 s and the configured maximum) and closed with 1012, writers get the drain budget, then the server
 * stops.
 */
public final class ChatServer {
    private static final int BACKLOG = 8192;
    private static final int MAX_REQUEST_LINE_BYTES = 32 * 1024;
    private static final Logger LOG = Logger.getLogger(ChatServer.class.getName());
    /** Helidon refuses single frames above this; whole messages are limited to {@code maxFrameBytes} by us. */
    private static final int MIN_HELIDON_FRAME = 1 << 20;
    /** The least time a stop gives the sockets to write what they have queued. */
    static final Duration MIN_SOCKET_DRAIN = Duration.ofSeconds(1);
    /** The longest a stop waits for the client messages being handled to be answered. */
    private static final Duration MAX_FRAME_WAIT = Duration.ofSeconds(2);

    private final WebServer server;
    private final SocketServices sockets;
    private final RequestsInFlight requests;
    private final StalledRequests stalled;

    private ChatServer(WebServer server, SocketServices sockets, RequestsInFlight requests, StalledRequests stalled) {
        this.server = server;
        this.sockets = sockets;
        this.requests = requests;
        this.stalled = stalled;
    }

    /**
     * Initialises Helidon's routing and server classes and the transport's JSON mapper, so that a thread can
     * do it on another core while the rest of start-up (the database) runs; {@link #start} does it anyway
     * and reports any failure, so this one ignores them.
     */
    public static void warmUp() {
        try {
            HttpRouting.builder();
            WebServer.builder();
            WireJson.object().put("status", "ok").toString();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "warm-up failed", e);
        }
    }

    /**
     * Binds the listen address for a moment and lets it go, so that a start that could not listen stops before
     * it opens (and perhaps creates and migrates) a database. A port another process takes between this check and
     * {@link #start} is still refused there.
     *
     * @throws ListenFailedException when the address is taken, is not one of this host's or takes no connections
     */
    public static void checkListenable(TransportSettings settings) {
        InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
        if (address.isUnresolved()) {
            return; // the start names the host that does not resolve
        }
        var ip = address.getAddress();
        if (ip.isMulticastAddress() || ip.getHostAddress().equals("255.255.255.255") || subnetBroadcast(ip)) {
            // the system binds an IPv4 one, but no connection can ever reach it
            throw new ListenFailedException(address(settings), "a multicast or broadcast address takes no connections");
        }
        if (settings.port() == 0) {
            return;
        }
        try (ServerSocketChannel probe = ServerSocketChannel.open()) { // Helidon listens with one too
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            probe.bind(address);
        } catch (SocketException e) {
            // in use, not this machine's (BindException), or refused outright: an IPv6 link-local address the
            // system cannot place on an interface, an IPv6 multicast address (EINVAL)
            String reason = e.getMessage() == null ? "cannot bind" : e.getMessage().toLowerCase(Locale.ROOT);
            throw new ListenFailedException(address(settings), reason);
        } catch (IOException e) {
            LOG.log(Level.FINE, "listen address check did not run", e); // the start itself reports it
        }
    }

    /** Whether {@code ip} is the broadcast address of a network one of this host's interfaces is on. */
    private static boolean subnetBroadcast(InetAddress ip) {
        if (!(ip instanceof Inet4Address)) {
            return false;
        }
        int target = ByteBuffer.wrap(ip.getAddress()).getInt();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InterfaceAddress address : nic.getInterfaceAddresses()) {
                    int prefix = address.getNetworkPrefixLength();
                    if (address.getAddress() instanceof Inet4Address own && prefix > 0 && prefix < 31
                            && (ByteBuffer.wrap(own.getAddress()).getInt() | -1 >>> prefix) == target) {
                        return true;
                    }
                }
            }
        } catch (SocketException e) {
            LOG.log(Level.FINE, "interfaces not listed", e);
        }
        return false;
    }

    /**
     * Builds and starts the server; {@code registry} is the one the services publish through.
     *
     * @throws ListenFailedException when the address cannot be bound, or the open-file limit leaves no room for a
     *     connection
     */
    public static ChatServer start(TransportSettings settings, UseCases useCases, ConnectionRegistry registry,
                                   ServerMetrics metrics) {
        int maxConnections = ConnectionLimit.forThisProcess();
        if (maxConnections == ConnectionLimit.NONE) {
            // Helidon's listener would end at its first failed accept, leaving a process that serves nothing
            throw new ListenFailedException(address(settings), ConnectionLimit.NO_ROOM);
        }
        JwtVerifier verifier = new JwtVerifier(settings.jwtSecret(), settings.jwtLeeway(), settings.jwtRequireExp(),
                settings.jwtIssuer(), settings.jwtAudience());
        OriginPolicy origins = new OriginPolicy(settings.allowedOrigins());
        Refusals refusals = new Refusals();
        registry.attach(settings.maxConnectionsPerUser(), useCases.presence(), useCases.unsentMessages());
        SocketSupervisor supervisor = new SocketSupervisor(registry, settings.pingInterval(), settings.idleTimeout());
        SocketServices sockets = new SocketServices(settings, verifier, useCases, registry, supervisor, metrics,
                new StopSignal());
        RequestBodies bodies = new RequestBodies(settings.maxBodyBytes());

        RequestsInFlight requests = new RequestsInFlight();
        StalledRequests stalled = new StalledRequests(settings.requestTimeout());
        HttpRouting.Builder routing = HttpRouting.builder()
                .addFilter(AnswerWatch.attaching(stalled, new AnswerBytes(settings.answerBudgetBytes())))
                .addFilter(new RequestLogFilter(stalled::answeredByCut))
                .addFilter(new RequestTargetFilter())
                .addFilter(new UnreadBodyFilter())
                .addFilter(new CorsFilter(origins, refusals))
                .addFilter(requests)
                .addFilter(new HandshakeFilter(verifier, origins, refusals))
                .addFilter(new AuthFilter(verifier, refusals))
                .register(new OpsRoutes(metrics, useCases.health(), System.nanoTime()))
                .register(new RoomRoutes(useCases, bodies))
                .register(new MessageRoutes(useCases, bodies))
                .register(new BotRoutes(useCases, bodies))
                .register(new FallbackRoutes());
        Http1Config.Builder http1 = Http1Config.builder().addReceiveListener(stalled.receiving(new SocketOriginRelay()))
                .addSendListener(stalled.sending())
                // a browser's token travels in the request line (/ws?token=…): tokens with many claims pass 4 KiB,
                // Helidon's default for the whole line, so the line and the headers may each hold 32 KiB
                .maxPrologueLength(MAX_REQUEST_LINE_BYTES)
                .maxHeadersSize(MAX_REQUEST_LINE_BYTES);
        WebServerConfig.Builder config = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .maxTcpConnections(maxConnections)
                // Room for a reconnect storm in the accept queue (the kernel caps it at net.core.somaxconn):
                // a full queue drops handshakes, and each client then waits a SYN retransmission (1 s, 3 s, ...).
                .backlog(BACKLOG)
                .shutdownHook(false)
                // Blocking sockets: one 8 KiB read buffer per connection instead of the NIO socket's 8 KiB read
                // plus 8 KiB write buffer, which an idle WebSocket would hold for nothing.
                .useNio(false)
                .connectionOptions(options -> {
                    options.tcpNoDelay(true);
                    if (settings.socketSendBufferBytes() > 0) {
                        options.socketSendBufferSize(settings.socketSendBufferBytes());
                    }
                })
                .contentEncoding(IdentityDecoding.context())
                .directHandlers(handlers -> {
                    DirectAnswers answers = new DirectAnswers();
                    for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
                        handlers.addHandler(type, answers);
                    }
                })
                .addProtocol(http1.build())
                .addConnectionSelector(new OtherHttpVersions())
                .addProtocol(WsConfig.builder()
                        .maxFrameLength(Math.max(MIN_HELIDON_FRAME, settings.maxFrameBytes()))
                        .build())
                .routing(routing)
                .addRouting(WsRouting.builder().endpoint(HandshakeFilter.PATH, () -> new ChatSocketListener(sockets)));
        WebServer server;
        HelidonLogFilter.install();
        SharedUpgradeHeaders.prepare();
        try (BindFailures bindFailures = BindFailures.watch()) {
            server = config.build().start();
            if (!server.isRunning() || server.port() < 0) {
                server.stop();
                throw new ListenFailedException(address(settings), bindFailures.reason().orElse("cannot listen there"));
            }
        } catch (RuntimeException e) {
            supervisor.stop();
            stalled.stop();
            registry.detach();
            throw e;
        }
        String listening = "listening on " + address(settings.host(), server.port())
                + (maxConnections == ConnectionLimit.UNLIMITED ? ""
                        : ", at most " + maxConnections + " connections at once (open-file limit)");
        if (ConnectionLimit.low(maxConnections)) {
            LOG.warning(listening + ": the open-file limit leaves room for few clients, and every HTTP request takes "
                    + "a place too; raise it (ulimit -n, systemd's LimitNOFILE=)");
        } else {
            LOG.info(listening);
        }
        return new ChatServer(server, sockets, requests, stalled);
    }

    private static String address(TransportSettings settings) {
        return address(settings.host(), settings.port());
    }

    /** {@code host:port}, an IPv6 host in brackets as {@code LISTEN_ADDR} writes it ({@code [::1]:8080}). */
    static String address(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public int port() {
        return server.port();
    }

    /** HTTP requests whose request line was read and whose answer has not begun. */
    int stalledRequests() {
        return stalled.waiting();
    }

    /** Answers whose write is under way now. */
    int answersBeingWritten() {
        return stalled.writing();
    }

    /** Whether accepted sockets get {@code TCP_NODELAY} (Helidon's default is off). */
    boolean tcpNoDelay() {
        return Boolean.TRUE.equals(server.prototype().connectionOptions().socketOptions()
                .get(StandardSocketOptions.TCP_NODELAY));
    }

    /** Whether accepted sockets are Helidon's blocking sockets rather than NIO ones (its default). */
    boolean blockingSockets() {
        return !server.prototype().useNio();
    }

    /** The flag {@link #stop()} raises first; a socket that opens once it is up is told to come back later. */
    StopSignal stopping() {
        return sockets.stopping();
    }

    /** Graceful stop with the whole drain timeout from now; returns when the server has stopped. */
    public void stop() {
        stop(System.nanoTime() + sockets.settings().shutdownDrainTimeout().toNanos());
    }

    /**
     * Graceful stop within a budget that earlier steps of the stop may have used: the sockets' queued frames,
     * their shutdown notices included, are written until {@code deadlineNanos} ({@link System#nanoTime()}), but
     * for at least {@link #MIN_SOCKET_DRAIN} (or the whole drain timeout when that is shorter) from when the
     * notices are queued, so that a budget spent on ending bot replies or on a send still waiting for the database
     * still leaves the clients told when to come back. The wait for client messages and HTTP requests being
     * handled (new requests are answered 503 from then on) comes out of the budget alone, so the sockets are done
     * at most that minimum past the deadline. Returns when the server has stopped.
     */
    public void stop(long deadlineNanos) {
        if (!sockets.stopping().raise()) {
            return;
        }
        var connections = sockets.registry().all();
        long leastDrain = Math.min(MIN_SOCKET_DRAIN.toNanos(), sockets.settings().shutdownDrainTimeout().toNanos());
        // within the budget, a send being handled now is answered (and its message fanned out) before any socket
        // is told
        for (SocketConnection connection : connections) {
            connection.stopTakingFrames();
        }
        try {
            long framesDeadline = Math.min(deadlineNanos, System.nanoTime() + MAX_FRAME_WAIT.toNanos());
            if (!requests.stopAndAwait(framesDeadline)) {
                LOG.warning("HTTP requests still being handled as the server stops: their clients may get no answer");
            }
            for (SocketConnection connection : connections) {
                connection.awaitFramesHandled(framesDeadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SocketConnection connection : connections) {
            sockets.shutDown(connection);
        }
        long deadline = Math.max(deadlineNanos, System.nanoTime() + leastDrain);
        try {
            for (SocketConnection connection : connections) {
                if (!connection.awaitWriter(deadline)) {
                    connection.abort();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sockets.supervisor().stop();
        stalled.stop();
        try {
            server.stop();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "web server stop failed", e);
        }
        sockets.registry().detach();
    }
}
