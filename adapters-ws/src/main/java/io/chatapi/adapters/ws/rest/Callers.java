package io.chatapi.adapters.ws.rest;

import io.chatapi.domain.ChatException;
import io.chatapi.domain.ErrorCode;
import io.chatapi.domain.Principal;
import io.helidon.webserver.http.ServerRequest;

/** The authenticated caller of a request, as the auth filter left it in the request context. */
final class Callers {
    private Callers() {
    }

    static void set(ServerRequest req, Principal principal) {
        req.context().register(Callers.class, principal);
    }

    /** The caller's user id; empty for a request that needs no token. */
    static String userIdOrNone(ServerRequest req) {
        return req.context().get(Callers.class, Principal.class).map(Principal::userId).orElse("");
    }

    static Principal of(ServerRequest req) {
        return req.context().get(Callers.class, Principal.class)
                .orElseThrow(() -> new ChatException(ErrorCode.UNAUTHORIZED, "Missing or invalid Authorization header"));
    }
}
