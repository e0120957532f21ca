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
 *   <li>a chunked body answered without being read, when it is over 2 MiB or its framing is bad: it is read and
 *   dropped before the answer, up to that bound, where Helidon 4.5.0 would read it after the answer, and wait
 *   for bytes that never come after a chunk size that is no hex number;</li>
 *   <li>a body whose framing could not be read (a chunk extension, which Helidon 4.5.0 refuses, a bad chunk
 *   size): where it ends is unknown, and Helidon read on from where it stopped.</li>
 * </ul>
 * The answer says {@code Connection: close}.
 */
public final class UnreadBodyFilter implements Filter {
    /**
     * The most of an unread chunked body read and dropped before answering: a larger one closes the connection
     * (a client still sending it may then miss the answer). Larger than any body the server reads.
     */
    private static final long DISCARDED_AT_MOST = 2L << 20;

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (!req.content().hasEntity()) {
            chain.proceed();
            return;
        }
        boolean expects = req.headers().contains(HeaderNames.EXPECT);
        boolean chunked = req.headers().contains(HeaderNames.TRANSFER_ENCODING);
        AtomicBoolean close = new AtomicBoolean();
        res.beforeSend(() -> {
            // a chunked body is read here, up to a bound, rather than by Helidon after the answer, whose reading a
            // chunk size that is no hex number would stall
            if (RequestBodies.unreadable(req) || !req.content().consumed()
                    && (expects || chunked && !RequestBodies.discardAtMost(req, DISCARDED_AT_MOST))) {
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
