package io.chatapi.adapters.ws.rest;

import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.domain.ErrorCode;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * The answers Helidon gives itself, before any route runs (a request line or header it cannot parse, an invalid
 * percent-encoding in the path, headers over its limits), in the error contract's shape
 * {@code {"error":"<code>","message":"…"}} instead of an empty body. The message is fixed per status: Helidon's
 * own text can quote the request, and a request's target may hold a token.
 */
public final class DirectAnswers implements DirectHandler {
    /** The error code and fixed message of an answer with this status. */
    record Answer(ErrorCode code, String message) {
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        Answer answer = answer(status.code());
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .entity(WireJson.bytes(WireJson.object().put("error", answer.code().wire())
                        .put("message", answer.message())))
                .build();
    }

    static Answer answer(int status) {
        return switch (status) {
            case 403 -> new Answer(ErrorCode.FORBIDDEN, "forbidden");
            case 413 -> new Answer(ErrorCode.PAYLOAD_TOO_LARGE, "request too large");
            case 431 -> new Answer(ErrorCode.INVALID_REQUEST, "request header fields too large");
            case 505 -> new Answer(ErrorCode.INVALID_REQUEST, "HTTP version not supported");
            default -> status >= 500 ? new Answer(ErrorCode.INTERNAL, "internal error")
                    : new Answer(ErrorCode.INVALID_REQUEST, "malformed HTTP request");
        };
    }
}
