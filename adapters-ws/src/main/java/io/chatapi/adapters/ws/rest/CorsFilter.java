package io.chatapi.adapters.ws.rest;

import io.chatapi.adapters.ws.auth.OriginPolicy;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Optional;

/**
 * CORS for allowed browser origins; answers every {@code OPTIONS} (a preflight or not) itself, without a token:
 * 204 with an {@code Allow} header on a known path, 404 on any other.
 */
public final class CorsFilter implements Filter {
    private final OriginPolicy origins;
    private final Refusals refusals;

    public CorsFilter(OriginPolicy origins, Refusals refusals) {
        this.origins = origins;
        this.refusals = refusals;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String origin = req.headers().value(HeaderNames.ORIGIN).orElse(null);
        if (!origins.allowsAny()) {
            // the answer depends on the Origin header, present or not: a shared cache must key on it
            res.header(HeaderNames.VARY, "Origin");
        }
        if (origin != null && origins.allows(origin)) {
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origins.allowsAny() ? "*" : origin);
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, Authorization, Idempotency-Key");
            res.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PUT, PATCH, DELETE, OPTIONS");
            // a 429's Retry-After is not a header a browser's script may read unless it is exposed
            res.header(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, "Retry-After");
        }
        if (req.prologue().method() == Method.OPTIONS) {
            // a preflight, or a plain OPTIONS: no token needed; a known path says what it answers, as RFC 9110 asks
            Optional<String> allowed = FallbackRoutes.allowed(req.path().path());
            if (allowed.isEmpty()) {
                HttpAnswers.error(req, res, 404, "not_found", "not found");
                return;
            }
            if (origin != null && !origins.allows(origin)) {
                refusals.origin(origin); // a preflight the browser will fail
            }
            res.header(HeaderNames.ALLOW, allowed.get() + ", OPTIONS");
            HttpAnswers.noContent(res);
            return;
        }
        chain.proceed();
    }
}
