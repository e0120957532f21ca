package io.chatapi.adapters.ws.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.adapters.ws.json.WireJson;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
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
 * connection mid-answer. Not thread-safe: one per request.
 */
final class StreamedList {
    private static final Logger LOG = Logger.getLogger(StreamedList.class.getName());
    /** Each write to the response's stream leaves as a chunk of its own: items go out gathered into this much. */
    private static final int BUFFER_BYTES = 32 * 1024;

    private final ServerResponse res;
    private final String field;
    private JsonGenerator json;

    StreamedList(ServerResponse res, String field) {
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
    CloseConnectionException abort(RuntimeException failure, String request) {
        Level level = failure instanceof UncheckedIOException ? Level.FINE : Level.WARNING;
        LOG.log(level, "answer cut short, connection closed: " + request, failure);
        return new CloseConnectionException("answer cut short", failure);
    }

    private JsonGenerator begin() throws IOException {
        if (json == null) {
            res.status(200);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            json = WireJson.generator(new BufferedOutputStream(res.outputStream(), BUFFER_BYTES));
            json.writeStartObject();
            json.writeArrayFieldStart(field);
        }
        return json;
    }
}
