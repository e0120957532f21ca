package io.chatapi.adapters.ws;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsUpgrader;

/**
 * Helidon 4.5.0's WebSocket upgrader compares every handshake with header constants shared by all connections
 * ({@code Connection: Upgrade}, {@code Sec-WebSocket-Version: 13}), and such a header builds its list of values
 * the first time it is read, without any synchronisation. The first handshakes of a process, arriving together,
 * could meet that list half built: one of them then failed with a {@code ConcurrentModificationException}, which
 * Helidon answers with a 500. {@link #prepare()} reads them once before the server accepts connections; from then
 * on they are only read, and every connection thread, started after it, sees them whole.
 */
final class SharedUpgradeHeaders extends WsUpgrader {
    private SharedUpgradeHeaders() {
        super(WsConfig.create()); // never made: only the protected members are used
    }

    /** Builds the shared headers' values once, on this thread; call it before the server starts. */
    static void prepare() {
        WritableHeaders<?> handshake = WritableHeaders.create()
                .set(HeaderNames.UPGRADE, "websocket")
                .set(HeaderNames.CONNECTION, "Upgrade");
        if (!isWebSocketUpgrade(handshake)) {
            throw new IllegalStateException("Helidon does not recognise a WebSocket upgrade");
        }
        SUPPORTED_VERSION_HEADER.allValues();
    }
}
