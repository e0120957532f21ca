package io.chatapi.adapters.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A local HTTP server on a free port that records every request and answers as the test says. */
final class FakeWebhookServer implements AutoCloseable {
    /** One recorded request. */
    record Received(String method, String path, Headers headers, byte[] body) {
        String header(String name) {
            return headers.getFirst(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** How the server answers a request. */
    @FunctionalInterface
    interface Responder {
        void respond(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Responder responder = answer(200, "");

    FakeWebhookServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders(), body));
                responder.respond(exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/chat");
    }

    void respondWith(Responder next) {
        this.responder = next;
    }

    /** How many recorded requests nobody has taken yet. */
    int pending() {
        return received.size();
    }

    /** The next recorded request; fails the test when none arrives within 5 s. */
    Received take() throws InterruptedException {
        Received next = received.poll(5, TimeUnit.SECONDS);
        assertThat(next).as("a request reached the fake webhook").isNotNull();
        return next;
    }

    static Responder answer(int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        };
    }

    /** Answers a redirect with {@code status} to {@code location} (no Location header when null). */
    static Responder redirect(int status, String location) {
        return exchange -> {
            if (location != null) {
                exchange.getResponseHeaders().set("Location", location);
            }
            exchange.sendResponseHeaders(status, -1);
        };
    }

    /** Answers 200 with {@code size} bytes, either with a Content-Length or chunked. */
    static Responder bytes(int size, boolean chunked) {
        return exchange -> {
            exchange.sendResponseHeaders(200, chunked ? 0 : size);
            OutputStream out = exchange.getResponseBody();
            byte[] block = new byte[8192];
            java.util.Arrays.fill(block, (byte) ' ');
            int left = size;
            try {
                while (left > 0) {
                    int n = Math.min(left, block.length);
                    out.write(block, 0, n);
                    left -= n;
                }
            } catch (IOException e) {
                // the client hung up once it had enough
            }
        };
    }

    /** Never answers until the server closes. */
    Responder hang() {
        return exchange -> released.await(30, TimeUnit.SECONDS);
    }

    /** Sends 200 headers and a few bytes of a chunked body, then stalls until the server closes. */
    Responder stallBody() {
        return exchange -> {
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("{\"system".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            released.await(30, TimeUnit.SECONDS);
        };
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
