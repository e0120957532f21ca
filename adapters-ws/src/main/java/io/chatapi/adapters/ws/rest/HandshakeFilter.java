package io.chatapi.adapters.ws.rest;

import io.chatapi.adapters.ws.auth.BearerTokens;
import io.chatapi.adapters.ws.auth.InvalidTokenException;
import io.chatapi.adapters.ws.auth.JwtVerifier;
import io.chatapi.adapters.ws.auth.OriginPolicy;
import io.chatapi.adapters.ws.auth.VerifiedToken;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.websocket.WsUpgrader;
import java.util.Base64;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Refuses a WebSocket handshake before the upgrade: a browser {@code Origin} the policy does not allow gets 403,
 * a missing or bad token ({@code ?token=} wins over the header) gets 401. Then, for a request that carries a
 * {@code Sec-WebSocket-Key} (Helidon refuses an upgrade without one before any filter), a key that is not the
 * base64 of 16 bytes gets 400 (Helidon would fail on it with a 500) and a {@code Sec-WebSocket-Version} other
 * than 13 gets 426 with {@code Sec-WebSocket-Version: 13} (RFC 6455 §4.2.2). Helidon upgrades a request without
 * a version as version 13, and refuses another version before any filter ({@link DirectAnswers} makes that 426).
 * Helidon's own upgrade refusal can only answer 400, which is why this runs as an HTTP filter, which upgrade
 * requests pass through. The upgrade runs inside this filter's {@code proceed} on the same thread, and picks up
 * the token checked here through {@link #checkedToken()} instead of verifying it a second time.
 */
public final class HandshakeFilter implements Filter {
    public static final String PATH = "/ws";
    /** The one WebSocket version served (RFC 6455); a handshake without it is answered 426. */
    static final String WS_VERSION = "13";
    static final String VERSION_REQUIRED = "Sec-WebSocket-Version 13 is required";
    private static final int KEY_BYTES = 16;
    private static final int KEY_CHARS = 24;
    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    private static final ThreadLocal<VerifiedToken> CHECKED = new ThreadLocal<>();

    private final JwtVerifier verifier;
    private final OriginPolicy origins;
    private final Refusals refusals;

    public HandshakeFilter(JwtVerifier verifier, OriginPolicy origins, Refusals refusals) {
        this.verifier = verifier;
        this.origins = origins;
        this.refusals = refusals;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (!PATH.equals(req.path().path())) {
            chain.proceed();
            return;
        }
        String origin = req.headers().value(SocketOriginRelay.SOCKET_ORIGIN)
                .or(() -> req.headers().value(HeaderNames.ORIGIN)).orElse(null);
        if (!origins.allows(origin)) {
            refusals.origin(origin);
            HttpAnswers.error(req, res, 403, "forbidden", "origin not allowed");
            return;
        }
        String query = req.query().first("token").orElse(null);
        Optional<String> token = BearerTokens.forSocket(query, req.headers().value(HeaderNames.AUTHORIZATION).orElse(null));
        if (token.isEmpty()) {
            HttpAnswers.error(req, res, 401, "unauthorized", "Missing or invalid Authorization header");
            return;
        }
        VerifiedToken checked;
        try {
            checked = verifier.verify(token.get());
        } catch (InvalidTokenException e) {
            LOG.log(Level.FINE, "socket token refused: {0}", e.getMessage());
            refusals.token(e.getMessage());
            HttpAnswers.error(req, res, 401, "unauthorized", "Invalid token");
            return;
        }
        Optional<String> key = req.headers().value(WsUpgrader.WS_KEY);
        if (key.isPresent() && !validKey(key.get())) {
            HttpAnswers.error(req, res, 400, "invalid_request", "Sec-WebSocket-Key must be the base64 of 16 bytes");
            return;
        }
        if (key.isPresent() && !req.headers().value(WsUpgrader.WS_VERSION).map(WS_VERSION::equals).orElse(false)) {
            res.header(WsUpgrader.WS_VERSION, WS_VERSION);
            HttpAnswers.error(req, res, Status.UPGRADE_REQUIRED_426_CODE, "invalid_request", VERSION_REQUIRED);
            return;
        }
        CHECKED.set(checked);
        try {
            chain.proceed();
        } finally {
            CHECKED.remove();
        }
    }

    /**
     * RFC 6455 §4.2.1: the key is the base64 of 16 bytes, written as RFC 4648 §4 writes it: 24 characters, the
     * last two the padding {@code ==} (Java's decoder also takes the key without its padding).
     */
    private static boolean validKey(String key) {
        try {
            return key.length() == KEY_CHARS && Base64.getDecoder().decode(key).length == KEY_BYTES;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The token this filter checked for the handshake running on this thread, if any. */
    public static Optional<VerifiedToken> checkedToken() {
        return Optional.ofNullable(CHECKED.get());
    }
}
