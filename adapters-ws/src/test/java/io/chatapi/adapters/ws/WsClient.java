package io.chatapi.adapters.ws;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.adapters.ws.json.WireJson;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client (the JDK's) that collects every frame it receives, parsed. */
final class WsClient implements WebSocket.Listener, AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
    volatile String closeReason;
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static WsClient connect(int port, String token) {
        WsClient client = new WsClient();
        client.socket = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token="
                        + URLEncoder.encode(token, StandardCharsets.UTF_8)), client)
                .orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(WireJson.parse(partial.toString()).orElseThrow());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, java.nio.ByteBuffer message) {
        pongs.add(StandardCharsets.UTF_8.decode(message).toString());
        webSocket.request(1);
        return null;
    }

    void sendPing(String payload) {
        socket.sendPing(java.nio.ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)))
                .orTimeout(5, TimeUnit.SECONDS).join();
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = reason;
        closeCode.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode.completeExceptionally(error);
    }

    void send(String text) {
        socket.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
    }

    void sendPart(String text, boolean last) {
        socket.sendText(text, last).orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** The next frame, failing after a generous wait. */
    JsonNode next() {
        try {
            JsonNode frame = frames.poll(10, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within 10 s");
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame of a type, skipping others (presence, typing) that tests do not look at. */
    JsonNode next(String type) {
        while (true) {
            JsonNode frame = next();
            if (type.equals(frame.path("type").asText())) {
                return frame;
            }
        }
    }

    /** Sends {@code ping} and waits for {@code pong}: proves the connection is open and in order. */
    void assertAlive() {
        send("{\"type\":\"ping\"}");
        next("pong");
    }

    int awaitClose() {
        return closeCode.orTimeout(15, TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }
}
