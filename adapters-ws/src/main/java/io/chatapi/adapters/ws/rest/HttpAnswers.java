package io.chatapi.adapters.ws.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.adapters.ws.json.EventFrames;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.ErrorCode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes JSON answers and maps failures to the error contract: a {@link ChatException} by its code, a
 * {@link StoreUnavailableException} to 503 {@code internal_error} with {@code Retry-After}, anything else to a
 * 500 that carries no detail (the detail is logged).
 */
public final class HttpAnswers {
    private static final Logger LOG = Logger.getLogger(HttpAnswers.class.getName());

    private HttpAnswers() {
    }

    /**
     * A JSON answer. One of more than {@link AnswerBytes#SMALL} bytes is counted against the server's budget of answer
     * bytes being written, and is {@code 503} (with {@code Retry-After}) instead when it does not fit; each piece of
     * it must be taken by the client within the server's time, or the connection is closed ({@link AnswerWatch}).
     */
    public static void json(ServerRequest req, ServerResponse res, int status, JsonNode body) {
        send(req, res, status, WireJson.bytes(body));
    }

    private static void send(ServerRequest req, ServerResponse res, int status, byte[] bytes) {
        AnswerWatch.Answering answering = AnswerWatch.of(req);
        String user = Callers.userIdOrNone(req);
        if (!answering.budget().take(user, bytes.length)) {
            LOG.log(Level.FINE, "answer of {0} bytes refused: too many answer bytes being written", bytes.length);
            res.header(HeaderNames.RETRY_AFTER, "1");
            send(req, res, 503, WireJson.bytes(WireJson.object().put("error", ErrorCode.UNAVAILABLE.wire())
                    .put("message", EventFrames.UNAVAILABLE_MESSAGE)));
            return;
        }
        try {
            res.status(status);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            AnswerWatch watch = answering.watch();
            if (bytes.length <= AnswerBytes.SMALL) {
                watch.write(() -> res.send(bytes));
                return;
            }
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(bytes.length));
            OutputStream out = res.outputStream();
            for (int offset = 0; offset < bytes.length; offset += AnswerBytes.SMALL) {
                int from = offset;
                watch.write(() -> out.write(bytes, from, Math.min(AnswerBytes.SMALL, bytes.length - from)));
            }
            watch.write(out::close);
        } catch (IOException | UncheckedIOException e) {
            // the client went away while its answer was written
            LOG.log(Level.FINE, "answer cut short, connection closed: " + describe(req), e);
            throw new AnswerCut("answer cut short", e);
        } finally {
            answering.budget().give(user, bytes.length);
        }
    }

    /** The headers {@link #json} would send for this body, without the body (an answer to {@code HEAD}). */
    public static void jsonHead(ServerResponse res, int status, JsonNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(WireJson.bytes(body).length));
        res.send();
    }

    public static void noContent(ServerResponse res) {
        res.status(Status.NO_CONTENT_204);
        res.send();
    }

    /**
     * An error answer {@code {"error":"<code>","message":"…"}}; to a {@code HEAD} request its headers only
     * (RFC 9110 §9.3.2: a body there would be read as the start of the next answer on the connection).
     */
    public static void error(ServerRequest req, ServerResponse res, int status, String code, String message) {
        ObjectNode body = WireJson.object().put("error", code).put("message", message);
        if (req.prologue().method() == Method.HEAD) {
            jsonHead(res, status, body);
        } else {
            json(req, res, status, body);
        }
    }

    /**
     * A handler whose failures become error answers; a {@link CloseConnectionException} (an answer begun and cut
     * short on purpose) goes on to Helidon, which closes the connection.
     */
    public static Handler guarded(Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (CloseConnectionException e) {
                throw e;
            } catch (Exception e) {
                failure(req, res, e);
            }
        };
    }

    static void failure(ServerRequest req, ServerResponse res, Exception e) {
        if (res.isSent()) {
            LOG.log(Level.WARNING, "failure after the answer was sent: " + describe(req), e);
            return;
        }
        if (e instanceof ChatException chat) {
            chatError(req, res, chat);
        } else if (e instanceof StoreUnavailableException) {
            // the store reports the cause (one line, throttled); the request log shows the 503
            LOG.log(Level.FINE, "store unavailable: " + describe(req), e);
            res.header(HeaderNames.RETRY_AFTER, "1");
            error(req, res, 503, ErrorCode.UNAVAILABLE.wire(), EventFrames.UNAVAILABLE_MESSAGE);
        } else {
            LOG.log(Level.SEVERE, "internal error: " + describe(req), e);
            error(req, res, 500, ErrorCode.INTERNAL.wire(), "internal error");
        }
    }

    private static void chatError(ServerRequest req, ServerResponse res, ChatException e) {
        int status = status(e.code());
        String message = e.getMessage();
        if (e.code() == ErrorCode.RATE_LIMITED) {
            long millis = Math.max(1, e.retryAfter().toMillis());
            res.header(HeaderNames.RETRY_AFTER, Long.toString((millis + 999) / 1000));
            message = "too many requests";
        }
        error(req, res, status, e.code().wire(), message == null ? e.code().wire() : message);
    }

    public static int status(ErrorCode code) {
        return switch (code) {
            case UNAUTHORIZED -> 401;
            case INVALID_REQUEST, INVALID_FRAME, UNKNOWN_TYPE -> 400;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case RATE_LIMITED -> 429;
            case UNAVAILABLE -> 503;
            case INTERNAL -> 500;
        };
    }

    /** Method and path, never the query (it may hold a token). */
    static String describe(ServerRequest req) {
        return DirectAnswers.loggable(req.prologue().method().text()) + " "
                + DirectAnswers.loggable(req.path().rawPath());
    }
}
