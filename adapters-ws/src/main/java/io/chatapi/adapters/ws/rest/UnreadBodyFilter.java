package io.chatapi.adapters.ws.rest;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes the connection after answering a request whose body may still be on the wire, so that no byte of a body
 * is ever read as a request of its own (request smuggling through a proxy that shares its connections):
 * <ul>
 *   <li>a request that asked {@code Expect: 100-continue} and was answered without its body being read (a 401,
 *   a 405, {@code GET /health}): Helidon 4.5.0 does not discard such a body, which the client may send anyway
 *   (RFC 9110 §10.1.1), and read it as the next request;</li>
 *   <li>a chunked body answered without being read: Helidon 4.5.0 discards it by reading its chunks, and one
 *   whose chunk size is no hex number then waits for bytes that never come;</li>
 *   <li>a body whose framing could not be read (a chunk extension, which Helidon 4.5.0 refuses, a bad chunk
 *   size): where it ends is unknown, and Helidon read on from where it stopped.</li>
 * </ul>
 * The answer says {@code Connection: close}.
 */
public final class UnreadBodyFilter implements Filter {
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (!req.content().hasEntity()) {
            chain.proceed();
            return;
        }
        // bodies Helidon would not discard, or would discard by reading chunks that may never end
        boolean discardedByClosing = req.headers().contains(HeaderNames.EXPECT)
                || req.headers().contains(HeaderNames.TRANSFER_ENCODING);
        AtomicBoolean close = new AtomicBoolean();
        res.beforeSend(() -> {
            if (discardedByClosing && !req.content().consumed() || RequestBodies.unreadable(req)) {
                res.header(HeaderValues.CONNECTION_CLOSE);
                close.set(true);
            }
        });
        chain.proceed();
        if (close.get() && res.isSent()) {
            throw new CloseConnectionException("a request body left unread or unreadable");
        }
    }
}
