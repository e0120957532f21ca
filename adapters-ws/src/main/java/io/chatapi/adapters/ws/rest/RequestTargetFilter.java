package io.chatapi.adapters.ws.rest;

import io.chatapi.domain.ErrorCode;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Refuses a request target that holds a fragment ({@code #}, which RFC 9112 §3.2 leaves out of a request target),
 * as the HTTP layer refuses any other character the target may not hold: {@code 400 malformed HTTP request} and
 * the connection closed. Helidon would take the target up to the {@code #} and drop the rest without a word, so
 * that {@code ?after_seq=5#x&limit=1} would be read as {@code ?after_seq=5}.
 */
public final class RequestTargetFilter implements Filter {
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.prologue().fragment().hasValue()) {
            res.header(HeaderValues.CONNECTION_CLOSE);
            HttpAnswers.error(req, res, 400, ErrorCode.INVALID_REQUEST.wire(), "malformed HTTP request");
            throw new CloseConnectionException("a request target with a fragment");
        }
        chain.proceed();
    }
}
