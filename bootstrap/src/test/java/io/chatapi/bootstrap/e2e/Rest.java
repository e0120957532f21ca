package io.chatapi.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A REST client for tests: JSON in, status + headers + JSON out. */
final class Rest {
    /** A response; {@code json} is an empty object when the body is empty or not JSON. */
    record Response(int status, java.net.http.HttpHeaders headers, String body, JsonNode json) {
        String error() {
            return json.path("error").asText();
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    Rest(int port) {
        this.port = port;
    }

    Response get(String path, String token) {
        return call("GET", path, token, null, Map.of());
    }

    Response post(String path, String token, Object body) {
        return call("POST", path, token, body, Map.of());
    }

    Response put(String path, String token, Object body) {
        return call("PUT", path, token, body, Map.of());
    }

    Response patch(String path, String token, Object body) {
        return call("PATCH", path, token, body, Map.of());
    }

    Response delete(String path, String token) {
        return call("DELETE", path, token, null, Map.of());
    }

    /** Every message of a room, in seq order, paging through {@code GET /rooms/{id}/messages}. */
    List<JsonNode> allMessages(String roomId, String token) {
        List<JsonNode> out = new ArrayList<>();
        long after = 0;
        while (true) {
            Response page = get("/rooms/" + roomId + "/messages?limit=100&after_seq=" + after, token);
            if (page.status() != 200) {
                throw new AssertionError("GET messages of " + roomId + ": " + page.status() + " " + page.body());
            }
            JsonNode messages = page.json().path("messages");
            if (messages.isEmpty()) {
                return out;
            }
            for (JsonNode m : messages) {
                out.add(m);
                after = m.path("seq").asLong();
            }
        }
    }

    /** {@code body} is sent as is when it is a String (in UTF-8) or bytes, else as its JSON. */
    Response call(String method, String path, String token, Object body, Map<String, String> headers) {
        try {
            byte[] bytes = body == null ? null : body instanceof byte[] b ? b
                    : (body instanceof String s ? s : WsClient.JSON.writeValueAsString(body))
                            .getBytes(StandardCharsets.UTF_8);
            var builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(15))
                    .method(method, bytes == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(bytes));
            if (bytes != null) {
                builder.header("Content-Type", "application/json");
            }
            if (token != null) {
                builder.header("Authorization", "Bearer " + token);
            }
            headers.forEach(builder::header);
            HttpResponse<String> response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = response.body().isEmpty() ? WsClient.JSON.createObjectNode() : WsClient.JSON.readTree(response.body());
            } catch (IOException e) {
                json = WsClient.JSON.createObjectNode();
            }
            return new Response(response.statusCode(), response.headers(), response.body(), json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
