package io.chatapi.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One WebSocket connection of the JDK client: assembles text messages, parses them into {@link Frame}s for a
 * {@link Handler}, serialises sends (the JDK allows one outstanding send) and records how it closed.
 * Pings from the server are answered by the JDK client itself. Demand is unbounded from the start (handlers
 * never block), which spares a demand signal per frame.
 */
final class WsClient implements WebSocket.Listener {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

    /** Receives the frames of one connection, on the HTTP client's executor; must not block. */
    interface Handler {
        void onFrame(WsClient client, Frame frame);

        default void onClosed(WsClient client, int code, String reason) {
        }
    }

    /** How a connection ended: the close code, or -1 when the transport failed. */
    record Closed(int code, String reason) {
    }

    private final String user;
    private final Handler handler;
    private final StringBuilder partial = new StringBuilder();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private volatile WebSocket socket;

    private WsClient(String user, Handler handler) {
        this.user = user;
        this.handler = handler;
    }

    /** Opens a connection with the token in the Authorization header; fails with the handshake's error. */
    static WsClient connect(HttpClient http, URI uri, String user, String token, Handler handler, Duration timeout) {
        WsClient client = new WsClient(user, handler);
        try {
            client.socket = http.newWebSocketBuilder()
                    .connectTimeout(timeout)
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(uri, client)
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return client;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new BenchException("WebSocket connect failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new BenchException("WebSocket connect timed out after " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted while connecting", e);
        }
    }

    String user() {
        return user;
    }

    boolean isOpen() {
        return !closed.isDone();
    }

    CompletableFuture<Closed> closed() {
        return closed;
    }

    /** Sends one text message; false when the connection is closed or the send failed or took over 10 s. */
    boolean send(String text) {
        WebSocket ws = socket;
        if (ws == null || closed.isDone() || ws.isOutputClosed()) {
            return false;
        }
        sendLock.lock();
        try {
            ws.sendText(text, true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            sendLock.unlock();
        }
    }

    /** Sends a normal close and waits up to {@code wait} for the server's; aborts the connection otherwise. */
    void close(Duration wait) {
        WebSocket ws = socket;
        if (ws == null || closed.isDone()) {
            return;
        }
        try {
            sendLock.lock();
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                sendLock.unlock();
            }
            closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            ws.abort();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ws.abort();
        }
    }

    void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        String text;
        synchronized (partial) {
            if (!last) {
                partial.append(data);
                return null;
            }
            if (partial.isEmpty()) {
                text = data.toString();
            } else {
                text = partial.append(data).toString();
                partial.setLength(0);
            }
        }
        handler.onFrame(this, Frame.parse(text));
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (closed.complete(new Closed(statusCode, reason))) {
            handler.onClosed(this, statusCode, reason);
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (closed.complete(new Closed(-1, String.valueOf(error)))) {
            handler.onClosed(this, -1, String.valueOf(error));
        }
    }
}
