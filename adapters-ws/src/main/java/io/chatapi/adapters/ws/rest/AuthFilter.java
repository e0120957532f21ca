package io.chatapi.adapters.ws.rest;

import io.chatapi.adapters.ws.auth.BearerTokens;
import io.chatapi.adapters.ws.auth.InvalidTokenException;
import io.chatapi.adapters.ws.auth.JwtVerifier;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Requires a valid bearer token on every REST request except health, metrics and CORS preflights; the socket
 * path has its own handshake filter. Answers 401 itself; otherwise leaves the caller in the request context.
 */
public final class AuthFilter implements Filter {
    private static final Logger LOG = Logger.getLogger(AuthFilter.class.getName());
    private static final Set<String> OPEN = Set.of("/health", "/metrics", "/metrics/prometheus", HandshakeFilter.PATH);

    private final JwtVerifier verifier;
    private final Refusals refusals;

    public AuthFilter(JwtVerifier verifier, Refusals refusals) {
        this.verifier = verifier;
        this.refusals = refusals;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.prologue().method() == Method.OPTIONS || OPEN.contains(req.path().path())) {
            chain.proceed();
            return;
        }
        Optional<String> token = BearerTokens.fromHeader(req.headers().value(HeaderNames.AUTHORIZATION).orElse(null));
        if (token.isEmpty()) {
            HttpAnswers.error(req, res, 401, "unauthorized", "Missing or invalid Authorization header");
            return;
        }
        try {
            Callers.set(req, verifier.verify(token.get()).principal());
        } catch (InvalidTokenException e) {
            LOG.log(Level.FINE, "token refused: {0}", e.getMessage());
            refusals.token(e.getMessage());
            HttpAnswers.error(req, res, 401, "unauthorized", "Invalid token");
            return;
        }
        chain.proceed();
    }
}
