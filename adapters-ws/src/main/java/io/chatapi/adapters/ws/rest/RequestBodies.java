package io.chatapi.adapters.ws.rest;

import io.chatapi.adapters.ws.json.JsonFields;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.domain.ChatException;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads a JSON request body, never more than the body limit: past it the answer is 413 without buffering more. */
public final class RequestBodies {
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
        return JsonFields.of(WireJson.parse(body)
                .orElseThrow(() -> ChatException.invalid("request body is not valid JSON")), "request body");
    }

    private byte[] read(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > maxBytes) {
            throw tooLarge();
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw tooLarge();
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ChatException tooLarge() {
        return ChatException.tooLarge("request body exceeds " + maxBytes + " bytes");
    }
}
