package io.chatapi.adapters.ws.rest;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Lets a WebSocket upgrade from any browser origin through Helidon's own origin check when every origin is
 * allowed ({@code ALLOWED_ORIGINS=*}): that check has no wildcard and runs before any filter, so the
 * {@code Origin} header of upgrade requests is dropped as they are read. Only installed in that mode.
 */
public final class SocketOriginRelay implements Http1ConnectionListener {
    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        if (headers instanceof WritableHeaders<?> writable && writable.contains(HeaderNames.ORIGIN)
                && writable.value(HeaderNames.UPGRADE).map(v -> v.equalsIgnoreCase("websocket")).orElse(false)) {
            writable.remove(HeaderNames.ORIGIN);
        }
    }
}
