package io.chatapi.adapters.ws.rest;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.regex.Pattern;

/** Registered last: a JSON 405 for a known path with another method, a JSON 404 for everything else. */
public final class FallbackRoutes implements HttpService {
    private static final String SEGMENT = "[^/]+";
    private static final List<Pattern> KNOWN = List.of(
            "/health", "/metrics", "/metrics/prometheus", "/rooms", "/rooms/S", "/rooms/S/members",
            "/rooms/S/members/.+", "/rooms/S/messages", "/rooms/S/messages/S", "/rooms/S/handoff", "/acks", "/bots",
            "/bots/S", "/admin/dead-letters").stream()
            .map(p -> Pattern.compile(p.replace("S", SEGMENT))).toList();

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::fallback);
    }

    private void fallback(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        if (HandshakeFilter.PATH.equals(path)) {
            HttpAnswers.error(res, 400, "invalid_request", "WebSocket upgrade required");
        } else if (KNOWN.stream().anyMatch(p -> p.matcher(path).matches())) {
            HttpAnswers.error(res, 405, "invalid_request", "method not allowed");
        } else {
            HttpAnswers.error(res, 404, "not_found", "not found");
        }
    }
}
