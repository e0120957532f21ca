package io.chatapi.adapters.ws.rest;

import io.chatapi.adapters.ws.json.JsonFields;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.domain.ChatException;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.logging.Logger;

/** Reads a JSON request body, never more than the body limit: past it the answer is 413 without buffering more. */
public final class RequestBodies {
    private static final Logger LOG = Logger.getLogger(RequestBodies.class.getName());
    /** The request context's key for a body that could not be read. */
    private static final Object UNREADABLE = new Object();
    private final int maxBytes;

    public RequestBodies(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The body as a JSON object. */
    public JsonFields object(ServerRequest req) {
        byte[] body = read(req);
        if (body.length == 0) {
            throw ChatException.invalid("request body is required");
        }
        if (!utf8(body)) {
            throw ChatException.invalid("request body is not UTF-8: JSON is exchanged in UTF-8 only");
        }
        return JsonFields.of(WireJson.parse(body)
                .orElseThrow(() -> ChatException.invalid("request body is not valid JSON")), "request body");
    }

    /**
     * False for a body in another Unicode encoding, which the JSON parser would otherwise read by its byte
     * pattern (RFC 8259 §8.1: JSON exchanged between systems is UTF-8). JSON text starts with an ASCII character,
     * so a NUL among the first two bytes, or a UTF-16 byte-order mark, is not UTF-8; a body that is not valid
     * UTF-8 further on is refused by the parser itself.
     */
    private static boolean utf8(byte[] body) {
        int first = body[0] & 0xff;
        if (first == 0 || first == 0xfe || first == 0xff) {
            return false;
        }
        return body.length < 2 || body[1] != 0;
    }

    private byte[] read(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > maxBytes) {
            throw tooLarge();
        }
        byte[] body = readAtMost(req, maxBytes + 1L);
        if (body.length > maxBytes) {
            throw tooLarge();
        }
        return body;
    }

    /**
     * The body, or up to {@code limit} bytes of it. A body the client framed badly (a chunk size that is no hex
     * number, fewer bytes than it declared, a connection closed half-way) is the client's error: 400, logged at
     * FINE only, so that a client can neither make a 500 nor fill the log with stack traces.
     */
    private static byte[] readAtMost(ServerRequest req, long limit) {
        // not closed after a failure: closing reads on to the body's end, and a chunk size that is no hex number
        // leaves that unknown (it would take the next line for one); the connection is closed instead
        try {
            InputStream in = req.content().inputStream();
            byte[] body = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
            in.close();
            return body;
        } catch (IOException | RuntimeException e) {
            markUnreadable(req, e);
            throw ChatException.invalid("request body could not be read: malformed or incomplete");
        }
    }

    /**
     * Reads and drops the request's body when it ends within {@code limit} bytes; false when it is longer or its
     * framing is bad (then marked {@link #unreadable}), and the connection must be closed.
     */
    static boolean discardAtMost(ServerRequest req, long limit) {
        try {
            InputStream in = req.content().inputStream();
            byte[] buffer = new byte[8192];
            long read = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read += n;
                if (read > limit) {
                    return false;
                }
            }
            in.close();
            return true;
        } catch (IOException | RuntimeException e) {
            markUnreadable(req, e);
            return false;
        }
    }

    /** Logged at FINE only: a client can neither fill the log with stack traces nor make a 500. */
    private static void markUnreadable(ServerRequest req, Exception e) {
        LOG.fine(() -> "request body could not be read (" + e + "): " + HttpAnswers.describe(req));
        req.context().register(UNREADABLE, Boolean.TRUE);
    }

    /** Whether reading the request's body failed: where it ends on the connection is then unknown. */
    static boolean unreadable(ServerRequest req) {
        return req.context().get(UNREADABLE, Boolean.class).orElse(false);
    }

    private ChatException tooLarge() {
        return ChatException.tooLarge("request body exceeds " + maxBytes + " bytes");
    }
}
