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
    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        ErrorCode code = code(status.code());
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .entity(WireJson.bytes(WireJson.object().put("error", code.wire()).put("message", text(status.code()))))
                .build();
    }

    static ErrorCode code(int status) {
        return switch (status) {
            case 403 -> ErrorCode.FORBIDDEN;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            default -> status >= 500 && status != 505 ? ErrorCode.INTERNAL : ErrorCode.INVALID_REQUEST;
        };
    }

    private static String text(int status) {
        return switch (status) {
            case 403 -> "forbidden";
            case 413 -> "request too large";
            case 431 -> "request header fields too large";
            case 505 -> "HTTP version not supported";
            default -> status >= 500 ? "internal error" : "malformed HTTP request";
        };
    }
}
