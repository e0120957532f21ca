package io.chatapi.adapters.ws.rest;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Registered last: a JSON 405 with an {@code Allow} header for a known path with another method, a JSON 404 for
 * everything else (a raw path with an empty, {@code .} or {@code ..} segment included).
 */
public final class FallbackRoutes implements HttpService {
    private static final String SEGMENT = "[^/]+";
    private static final Map<Pattern, String> KNOWN = known(
            "/health", "GET, HEAD", "/metrics", "GET", "/metrics/prometheus", "GET", "/rooms", "GET, POST",
            "/rooms/S", "GET, PATCH", "/rooms/S/members", "GET, POST", "/rooms/S/members/.+", "DELETE",
            "/rooms/S/messages", "GET, POST", "/rooms/S/messages/S", "PUT, DELETE", "/rooms/S/handoff", "POST",
            "/acks", "POST", "/bots", "GET, POST", "/bots/S", "GET, DELETE", "/admin/dead-letters", "GET");

    private static Map<Pattern, String> known(String... pathsAndMethods) {
        Map<Pattern, String> known = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndMethods.length; i += 2) {
            // DOTALL: a member's user id, the rest of the path, may hold line terminators
            Pattern path = Pattern.compile(pathsAndMethods[i].replace("S", SEGMENT), Pattern.DOTALL);
            known.put(path, pathsAndMethods[i + 1]);
        }
        return known;
    }

    /** The methods a known path answers (OPTIONS aside), as an {@code Allow} header lists them; empty if unknown. */
    static Optional<String> allowed(String path) {
        if (HandshakeFilter.PATH.equals(path)) {
            return Optional.of("GET");
        }
        return KNOWN.entrySet().stream().filter(e -> e.getKey().matcher(path).matches())
                .map(Map.Entry::getValue).findFirst();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::fallback);
    }

    private void fallback(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        if (HandshakeFilter.PATH.equals(path)) {
            HttpAnswers.error(req, res, 400, "invalid_request", "WebSocket upgrade required");
            return;
        }
        // a raw path with a dot or empty segment names no id (PathIds), whichever known path it resolved to
        Optional<String> allowed = PathIds.unresolved(req) ? Optional.empty() : allowed(path);
        if (allowed.isPresent()) {
            res.header(HeaderNames.ALLOW, allowed.get());
            HttpAnswers.error(req, res, 405, "invalid_request", "method not allowed");
        } else {
            HttpAnswers.error(req, res, 404, "not_found", "not found");
        }
    }
}
