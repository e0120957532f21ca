package io.chatapi.adapters.ws.rest;

import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.domain.ErrorCode;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.websocket.WsUpgrader;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The answers Helidon gives itself, before any route runs (a request line or header it cannot parse, an invalid
 * percent-encoding in the path, headers over its limits), in the error contract's shape
 * {@code {"error":"<code>","message":"…"}} instead of an empty body. The message is fixed per status: Helidon's
 * own text can quote the request, and a request's target may hold a token. Helidon's refusal of a WebSocket
 * version other than 13 (a 400 carrying {@code Sec-WebSocket-Version: 13}) becomes the 426 RFC 6455 §4.2.2 asks
 * for, as {@link HandshakeFilter} answers a handshake without a version.
 *
 * <p>Helidon also comes here when reading a frame of an upgraded WebSocket connection fails in a way it does not
 * handle itself (a reserved opcode: an {@code IllegalArgumentException} from its frame reader). An HTTP answer
 * would then be written into the WebSocket stream, and Helidon would log the stack trace for every such frame.
 * A connection marks its thread with {@link #upgraded(Runnable)} instead; such a failure then fails the
 * connection as RFC 6455 asks (the close frame 1002 is sent by the given action), logs one line and closes the
 * socket without an HTTP answer.
 */
public final class DirectAnswers implements DirectHandler {
    private static final Logger LOG = Logger.getLogger(DirectAnswers.class.getName());
    private static final int MAX_LOGGED_PATH = 200;
    /** The action that fails the upgraded connection served by this thread; unset on plain HTTP connections. */
    private static final ThreadLocal<Runnable> UPGRADED = new ThreadLocal<>();

    /** The error code and fixed message of an answer with this status. */
    record Answer(ErrorCode code, String message) {
    }

    /**
     * Marks the current thread as serving an upgraded WebSocket connection (its reading thread, for the
     * connection's lifetime); {@code failConnection} sends the close frame and releases the connection.
     */
    public static void upgraded(Runnable failConnection) {
        UPGRADED.set(failConnection);
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        Runnable failConnection = UPGRADED.get();
        if (failConnection != null) {
            UPGRADED.remove();
            LOG.log(Level.WARNING, "closed a WebSocket connection with 1002: a frame could not be read ({0})",
                    eventType);
            try {
                failConnection.run();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not send the close frame", e);
            }
            throw new CloseConnectionException("WebSocket protocol error");
        }
        if (status.code() == Status.BAD_REQUEST_400.code() && headers.contains(WsUpgrader.WS_VERSION)) {
            status = Status.UPGRADE_REQUIRED_426;
        } else if (status.code() == Status.BAD_REQUEST_400.code() && unsupportedCoding(request)) {
            // Helidon refuses a body in a coding it does not read with a 400 whose message it does not pass on
            // (see IdentityDecoding); RFC 9110 §15.5.16 asks for a 415
            status = Status.UNSUPPORTED_MEDIA_TYPE_415;
        }
        if (eventType == EventType.INTERNAL_ERROR && unknown(request.method())) {
            // Helidon failed before it had a request: the request's head ended early (a client that hung up or
            // half-closed its side in the middle of it). That is the client's doing, not a server error.
            LOG.fine("a request ended before its head was complete");
            status = Status.BAD_REQUEST_400;
        } else {
            RequestLogFilter.logAnswer(DirectAnswers.class, request.method(), request.path(), status.code(), 0);
        }
        Answer answer = answer(status.code());
        TransportResponse.Builder response = TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json");
        if (!Method.HEAD.text().equals(request.method())) {
            // no body in an answer to HEAD (RFC 9110 §9.3.2); Helidon then sends Content-Length: 0
            response.entity(WireJson.bytes(WireJson.object().put("error", answer.code().wire())
                    .put("message", answer.message())));
        }
        return response.build();
    }

    private static boolean unknown(String method) {
        return method == null || method.isEmpty();
    }

    /** True when the request declares a body coding other than the one the server reads. */
    private static boolean unsupportedCoding(TransportRequest request) {
        return request.headers().contains(HeaderNames.CONTENT_ENCODING)
                && !IdentityDecoding.ID.equals(request.headers().get(HeaderNames.CONTENT_ENCODING).get());
    }

    /** The path up to its query (a socket token travels there). */
    static String withoutQuery(String path) {
        if (path == null) {
            return "-";
        }
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /**
     * At most {@value #MAX_LOGGED_PATH} printable ASCII characters, others as '?', and {@code ...} after a text cut
     * there: a request can neither forge log lines nor make its line longer than a few hundred bytes.
     */
    static String loggable(String text) {
        if (text == null || text.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LOGGED_PATH + 3));
        for (int i = 0; i < text.length() && i < MAX_LOGGED_PATH; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x21 && c <= 0x7e ? c : '?');
        }
        if (text.length() > MAX_LOGGED_PATH) {
            out.append("...");
        }
        return out.toString();
    }

    static Answer answer(int status) {
        return switch (status) {
            // Helidon's only direct 403 is its WebSocket Origin check: the same answer as the server's own check
            case 403 -> new Answer(ErrorCode.FORBIDDEN, "origin not allowed");
            case 413 -> new Answer(ErrorCode.PAYLOAD_TOO_LARGE, "request too large");
            case 414 -> new Answer(ErrorCode.INVALID_REQUEST, "request target too long");
            case 415 -> new Answer(ErrorCode.INVALID_REQUEST,
                    "unsupported Content-Encoding: send the body as it is, with no Content-Encoding or identity");
            case 426 -> new Answer(ErrorCode.INVALID_REQUEST, HandshakeFilter.VERSION_REQUIRED);
            case 431 -> new Answer(ErrorCode.INVALID_REQUEST, "request header fields too large");
            // Helidon's only 501: a Transfer-Encoding other than chunked alone (RFC 9112 §6.1)
            case 501 -> new Answer(ErrorCode.INVALID_REQUEST,
                    "unsupported Transfer-Encoding: send the body with Content-Length, or chunked alone");
            case 505 -> new Answer(ErrorCode.INVALID_REQUEST, "HTTP version not supported: use HTTP/1.1");
            default -> status >= 500 ? new Answer(ErrorCode.INTERNAL, "internal error")
                    : new Answer(ErrorCode.INVALID_REQUEST, "malformed HTTP request");
        };
    }
}
