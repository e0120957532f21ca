package io.chatapi.adapters.ws.rest;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Hands the {@code Origin} of a WebSocket upgrade to the server's own check ({@link HandshakeFilter}) instead of
 * Helidon's: Helidon checks it before any filter runs, logs nothing, has no wildcard, and with no list allows the
 * same origin only. The header is moved, as the request is read, to {@link #SOCKET_ORIGIN}; a client's own
 * header of that name is dropped first, so the value there is always the request's {@code Origin}. It also writes
 * the {@code Upgrade} value as Helidon looks it up, {@code websocket}: a client that sends {@code WebSocket} is
 * not refused.
 */
public final class SocketOriginRelay implements Http1ConnectionListener {
    /** Where an upgrade request's {@code Origin} is found by the filters. */
    public static final HeaderName SOCKET_ORIGIN = HeaderNames.create("X-ChatAPI-Socket-Origin");

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        if (headers instanceof WritableHeaders<?> writable
                && writable.value(HeaderNames.UPGRADE).map(SocketOriginRelay::namesWebSocket).orElse(false)) {
            // RFC 6455 compares the value without regard to case, and HTTP allows a list of protocols there;
            // Helidon finds its upgrade by the exact value
            writable.set(HeaderNames.UPGRADE, "websocket");
            writable.remove(SOCKET_ORIGIN);
            writable.value(HeaderNames.ORIGIN).ifPresent(origin -> {
                writable.remove(HeaderNames.ORIGIN);
                writable.set(SOCKET_ORIGIN, origin);
            });
        }
    }

    /** True when an {@code Upgrade} value, one protocol or a comma-separated list, names {@code websocket}. */
    private static boolean namesWebSocket(String value) {
        for (String protocol : value.split(",", -1)) {
            if (protocol.strip().equalsIgnoreCase("websocket")) {
                return true;
            }
        }
        return false;
    }
}
