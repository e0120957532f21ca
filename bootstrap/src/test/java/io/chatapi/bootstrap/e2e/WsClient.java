package io.chatapi.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client for tests: collects every JSON event, and the close code when the server closes. */
final class WsClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final LinkedBlockingDeque<JsonNode> events = new LinkedBlockingDeque<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final List<JsonNode> seen = new ArrayList<>();
    private volatile WebSocket socket;

    private WsClient() {
    }

    static WsClient connect(int port, String token) {
        return connect(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token));
    }

    static WsClient connect(URI uri) {
        WsClient client = new WsClient();
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT)
                .buildAsync(uri, new Collector(client)).orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    /**
     * Waits until the server has registered this socket (it answers a ping only after its open handling), so
     * events published from now on reach it; returns early if the server closed the socket instead.
     */
    WsClient ready() {
        try {
            send("{\"type\":\"ping\"}");
        } catch (RuntimeException e) {
            return this;
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<JsonNode> earlier = new ArrayList<>();
        try {
            while (System.nanoTime() < deadline && !closed.isDone()) {
                JsonNode event = events.poll(50, TimeUnit.MILLISECONDS);
                if (event != null) {
                    if ("pong".equals(event.path("type").asText())) {
                        break;
                    }
                    earlier.add(event);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (int i = earlier.size() - 1; i >= 0; i--) {
            events.offerFirst(earlier.get(i));
        }
        return this;
    }

    void send(String json) {
        socket.sendText(json, true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    void send(String type, Object data) {
        ObjectNode frame = JSON.createObjectNode().put("type", type);
        if (data != null) {
            frame.set("data", JSON.valueToTree(data));
        }
        send(frame.toString());
    }

    /** The next event of the given type; events of other types before it are kept in {@link #seen()}. */
    JsonNode await(String type) {
        return await(e -> type.equals(e.path("type").asText()), type);
    }

    JsonNode await(Predicate<JsonNode> match, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonNode event = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
                if (event == null) {
                    throw new AssertionError("no " + what + " within " + WAIT + "; saw " + clipped(seen.toString()));
                }
                seen.add(event);
                if (match.test(event)) {
                    return event;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A long event list's first and last 2,000 characters, so that a failure stays readable. */
    private static String clipped(String text) {
        return text.length() <= 4_000 ? text
                : text.substring(0, 2_000) + " … (" + (text.length() - 4_000) + " characters) … "
                        + text.substring(text.length() - 2_000);
    }

    /** The first event of the type already received (even if an earlier await passed it), else the next one. */
    JsonNode find(String type) {
        for (JsonNode event : seen) {
            if (type.equals(event.path("type").asText())) {
                return event;
            }
        }
        return await(type);
    }

    /** Waits {@code quiet} and returns every event that arrived meanwhile (also kept in {@link #seen()}). */
    List<JsonNode> drain(Duration quiet) {
        List<JsonNode> out = new ArrayList<>();
        try {
            JsonNode event;
            long deadline = System.nanoTime() + quiet.toNanos();
            while ((event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) != null) {
                out.add(event);
                seen.add(event);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /** The next event within {@code wait} (kept in {@link #seen()}), or null when none came. */
    JsonNode next(Duration wait) {
        try {
            JsonNode event = events.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            if (event != null) {
                seen.add(event);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Drops the connection without a close frame, as a client losing its network does. */
    void drop() {
        socket.abort();
    }

    /** How many events arrived that no await has taken yet. */
    int pending() {
        return events.size();
    }

    List<JsonNode> seen() {
        return seen;
    }

    /** The close code the server sent, waiting for it. */
    int awaitClose() {
        return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }

    private static final class Collector implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private final WsClient client;

        Collector(WsClient client) {
            this.client = client;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            client.socket = webSocket;
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    client.events.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    client.events.add(JSON.createObjectNode().put("type", "!unparseable").put("raw", partial.toString()));
                }
                partial.setLength(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            client.closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            client.closed.complete(-1);
        }
    }
}
