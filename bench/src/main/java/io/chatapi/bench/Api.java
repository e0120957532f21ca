package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The REST calls the benchmarks need, made with one caller's token; a non-2xx answer is a {@link BenchException}. */
final class Api {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final HttpClient http;
    private final URI base;
    private final String token;

    Api(HttpClient http, URI base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    Api as(String otherToken) {
        return new Api(http, base, otherToken);
    }

    /** Creates a {@code group} room and returns its id. */
    String createGroup(String name, List<String> members) {
        ObjectNode body = Json.object();
        body.put("type", "group");
        body.put("name", name);
        members.forEach(body.putArray("members")::add);
        return call("POST", "/rooms", body).path("room_id").asText();
    }

    /** Adds a member; true when added, false when it already was one (409). */
    boolean addMember(String roomId, String userId) {
        ObjectNode body = Json.object();
        body.put("user_id", userId);
        HttpResponse<String> response = send("POST", "/rooms/" + enc(roomId) + "/members", body, null);
        if (response.statusCode() == 409) {
            return false;
        }
        check(response, "POST /rooms/{id}/members");
        return true;
    }

    String createBot(String name, String baseUrl, String keyEnv, String model) {
        ObjectNode body = Json.object();
        body.put("name", name);
        body.put("llm_base_url", baseUrl);
        body.put("llm_api_key_env", keyEnv);
        body.put("model", model);
        return call("POST", "/bots", body).path("bot_id").asText();
    }

    long lastSeq(String roomId) {
        return call("GET", "/rooms/" + enc(roomId), null).path("last_seq").asLong();
    }

    /** Every seq in the room's history, ascending, paged 100 at a time. */
    List<Long> allSeqs(String roomId) {
        return seqsAfter(roomId, 0);
    }

    /** The seqs above {@code afterSeq}, ascending, paged 100 at a time. */
    List<Long> seqsAfter(String roomId, long afterSeq) {
        List<Long> seqs = new ArrayList<>();
        long after = afterSeq;
        while (true) {
            JsonNode page = call("GET", "/rooms/" + enc(roomId) + "/messages?after_seq=" + after + "&limit=100", null)
                    .path("messages");
            if (page.isEmpty()) {
                return seqs;
            }
            for (JsonNode message : page) {
                long seq = message.path("seq").asLong();
                if (seq <= after) {
                    throw new BenchException("history of " + roomId + " is not ascending at seq " + seq);
                }
                seqs.add(seq);
                after = seq;
            }
        }
    }

    /** Posts a message with an idempotency key; returns the HTTP status (the caller retries on failure). */
    int postMessage(String roomId, String content, String idempotencyKey) {
        ObjectNode body = Json.object();
        body.put("content", content);
        body.put("client_msg_id", idempotencyKey);
        return send("POST", "/rooms/" + enc(roomId) + "/messages", body, idempotencyKey).statusCode();
    }

    JsonNode metrics() {
        return call("GET", "/metrics", null);
    }

    private JsonNode call(String method, String path, JsonNode body) {
        HttpResponse<String> response = send(method, path, body, null);
        check(response, method + " " + path.replaceAll("\\?.*", ""));
        return response.body().isEmpty() ? Json.object() : Json.parse(response.body());
    }

    private HttpResponse<String> send(String method, String path, JsonNode body, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.write(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new BenchException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted during " + method + " " + path, e);
        }
    }

    private static void check(HttpResponse<String> response, String what) {
        if (response.statusCode() / 100 != 2) {
            throw new BenchException(what + " answered " + response.statusCode() + ": " + Json.abbreviate(response.body()));
        }
    }

    private static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
