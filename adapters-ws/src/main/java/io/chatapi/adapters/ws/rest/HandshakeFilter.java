package io.chatapi.adapters.ws.rest;

import io.chatapi.adapters.ws.auth.BearerTokens;
import io.chatapi.adapters.ws.auth.InvalidTokenException;
import io.chatapi.adapters.ws.auth.JwtVerifier;
import io.chatapi.adapters.ws.auth.OriginPolicy;
import io.chatapi.adapters.ws.auth.VerifiedToken;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Refuses a WebSocket handshake before the upgrade: a browser {@code Origin} the policy does not allow gets 403,
 * a missing or bad token ({@code ?token=} wins over the header) gets 401. Helidon's own upgrade refusal can only
 * answer 400, which is why this runs as an HTTP filter, which upgrade requests pass through. The upgrade runs
 * inside this filter's {@code proceed} on the same thread, and picks up the token checked here through
 * {@link #checkedToken()} instead of verifying it a second time.
 */
public final class HandshakeFilter implements Filter {
    public static final String PATH = "/ws";
    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    private static final ThreadLocal<VerifiedToken> CHECKED = new ThreadLocal<>();

    private final JwtVerifier verifier;
    private final OriginPolicy origins;

    public HandshakeFilter(JwtVerifier verifier, OriginPolicy origins) {
        this.verifier = verifier;
        this.origins = origins;
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
            HttpAnswers.error(res, 403, "forbidden", "origin not allowed");
            return;
        }
        String query = req.query().first("token").orElse(null);
        Optional<String> token = BearerTokens.forSocket(query, req.headers().value(HeaderNames.AUTHORIZATION).orElse(null));
        if (token.isEmpty()) {
            HttpAnswers.error(res, 401, "unauthorized", "Missing or invalid Authorization header");
            return;
        }
        VerifiedToken checked;
        try {
            checked = verifier.verify(token.get());
        } catch (InvalidTokenException e) {
            LOG.log(Level.FINE, "socket token refused: {0}", e.getMessage());
            HttpAnswers.error(res, 401, "unauthorized", "Invalid token");
            return;
        }
        CHECKED.set(checked);
        try {
            chain.proceed();
        } finally {
            CHECKED.remove();
        }
    }

    /** The token this filter checked for the handshake running on this thread, if any. */
    public static Optional<VerifiedToken> checkedToken() {
        return Optional.ofNullable(CHECKED.get());
    }
}
