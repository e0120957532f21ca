package io.chatapi.adapters.ws.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.adapters.ws.json.WireJson;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A 200 answer {@code {"<field>":[…]}} written to the client item by item as the items come, so that memory holds
 * one item however long the list. The status and headers leave with the first item (or the end of an empty list):
 * until then a failure can still be answered as any other; after, it cannot, and {@link #abort} closes the
 * connection mid-answer. Each write to the client is watched ({@link AnswerWatch}): a client that stops reading has
 * its connection closed. Not thread-safe: one per request.
 */
final class StreamedList {
    private static final Logger LOG = Logger.getLogger(StreamedList.class.getName());
    /** Each write to the response's stream leaves as a chunk of its own: items go out gathered into this much. */
    private static final int BUFFER_BYTES = 32 * 1024;

    private final ServerRequest req;
    private final ServerResponse res;
    private final String field;
    private JsonGenerator json;

    StreamedList(ServerRequest req, ServerResponse res, String field) {
        this.req = req;
        this.res = res;
        this.field = field;
    }

    /** True once the answer has begun: a failure can no longer become an error answer. */
    boolean started() {
        return json != null;
    }

    void add(JsonNode item) {
        try {
            begin().writeTree(item);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the list and the answer. */
    void end() {
        try {
            JsonGenerator out = begin();
            out.writeEndArray();
            out.writeEndObject();
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * After a failure once the answer has begun: logs it (a client that went away, at {@code FINE} only) and
     * returns the exception that makes Helidon close the connection without ending the answer. The client then
     * sees a cut answer (no final chunk, or fewer bytes than announced, and JSON that does not end) rather than a
     * shorter list that looks whole.
     */
    AnswerCut abort(RuntimeException failure, String request) {
        boolean clientSide = false;
        for (Throwable t = failure; t != null && !clientSide; t = t.getCause()) {
            // a client that went away, or one that stopped reading and was cut
            clientSide = t instanceof IOException || t instanceof UncheckedIOException
                    || t instanceof AnswerCut;
        }
        Level level = clientSide ? Level.FINE : Level.WARNING;
        LOG.log(level, "answer cut short, connection closed: " + request, failure);
        return new AnswerCut("answer cut short", failure);
    }

    private JsonGenerator begin() throws IOException {
        if (json == null) {
            res.status(200);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            json = WireJson.generator(new BufferedOutputStream(
                    AnswerWatch.watched(res.outputStream(), AnswerWatch.of(req).watch()), BUFFER_BYTES));
            json.writeStartObject();
            json.writeArrayFieldStart(field);
        }
        return json;
    }
}
