package io.chatapi.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** The application's webhook, played by a local HTTP server that records requests and answers on cue. */
final class FakeWebhook implements AutoCloseable {
    /** One request as received: headers (lower-case names), raw body, parsed body. */
    record Received(Map<String, String> headers, byte[] raw, JsonNode json) {
        String type() {
            return json.path("type").asText();
        }
    }

    /** An answer: status and body. */
    record Answer(int status, String body) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Function<Received, Answer> responder = r -> new Answer(200, "{}");
    /** While set, {@link #url()} answers 307 to the same path with a slash added, as FastAPI does; unrecorded. */
    private volatile boolean slashRedirect;

    FakeWebhook() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            if (slashRedirect && exchange.getRequestURI().getPath().equals("/hook")) {
                exchange.getResponseHeaders().add("Location", url() + "/");
                exchange.sendResponseHeaders(307, -1);
                exchange.close();
                return;
            }
            var headers = new java.util.HashMap<String, String>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
            JsonNode json;
            try {
                json = WsClient.JSON.readTree(raw);
            } catch (IOException e) {
                json = WsClient.JSON.createObjectNode();
            }
            Received r = new Received(Map.copyOf(headers), raw, json);
            received.add(r);
            Answer answer = failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? new Answer(500, "{}")
                    : responder.apply(r);
            byte[] body = answer.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    void respond(Function<Received, Answer> responder) {
        this.responder = responder;
    }

    void redirectToSlash(boolean on) {
        slashRedirect = on;
    }

    /** The next {@code n} requests get a 500. */
    void failNext(int n) {
        failuresLeft.set(n);
    }

    List<Received> received() {
        return received;
    }

    List<Received> ofType(String type) {
        return received.stream().filter(r -> type.equals(r.type())).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
