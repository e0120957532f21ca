package io.chatapi.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A local OpenAI-compatible chat-completions endpoint that streams Server-Sent Events: one chunk every
 * {@code interval}, each chunk's text carrying the wall-clock microsecond at which it left ({@code [t=…]}),
 * then {@code data: [DONE]}. Listens on 127.0.0.1 only.
 */
final class FakeLlmServer implements AutoCloseable {
    static final String MARK = "[t=";
    /** The same completions for the load generator itself, counted apart from the server's ({@link DirectStream}). */
    private static final String DIRECT_PATH = "/direct/v1/chat/completions";
    private static final byte[] TEXT_SUFFIX = "\"},\"finish_reason\":null}]}\n\n".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final int chunks;
    private final Duration interval;
    private final String apiKey;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong directRequests = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong chunksSent = new AtomicLong();
    private final AtomicLong aborted = new AtomicLong();

    FakeLlmServer(int chunks, Duration interval, String apiKey) {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.chunks = chunks;
        this.interval = interval;
        this.apiKey = apiKey;
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        } catch (IOException e) {
            throw new BenchException("cannot start the fake LLM server: " + e.getMessage(), e);
        }
        server.createContext("/v1/chat/completions", exchange -> complete(exchange, requests));
        server.createContext(DIRECT_PATH, exchange -> complete(exchange, directRequests));
        server.setExecutor(executor);
        server.start();
    }

    /** The {@code llm_base_url} to give a bot. */
    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    /** The URL that {@link DirectStream} posts to: the same stream, with no server in between. */
    URI directUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + DIRECT_PATH);
    }

    /** Completion requests from the server under test. */
    long requests() {
        return requests.get();
    }

    long directRequests() {
        return directRequests.get();
    }

    long rejected() {
        return rejected.get();
    }

    long chunksSent() {
        return chunksSent.get();
    }

    /** Streams whose client went away before the end (superseded or cancelled replies). */
    long aborted() {
        return aborted.get();
    }

    /** The send times embedded in {@code text}, in microseconds. */
    static List<Long> stamps(String text) {
        List<Long> out = new ArrayList<>();
        int from = 0;
        while (text != null) {
            int start = text.indexOf(MARK, from);
            if (start < 0) {
                break;
            }
            int end = text.indexOf(']', start);
            if (end < 0) {
                break;
            }
            try {
                out.add(Long.parseLong(text.substring(start + MARK.length(), end)));
            } catch (NumberFormatException e) {
                // not one of ours
            }
            from = end + 1;
        }
        return out;
    }

    private void complete(HttpExchange exchange, AtomicLong counted) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!("Bearer " + apiKey).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                rejected.incrementAndGet();
                byte[] body = "{\"error\":{\"message\":\"bad key\"}}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(401, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            counted.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            long start = System.nanoTime();
            // Every chunk after the first is the same JSON but for its time stamp: written from a template, so
            // that the fake (which shares the cores with the server) spends little on each.
            byte[] prefix = ("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":"
                    + System.currentTimeMillis() / 1000 + ",\"model\":\"bench\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"").getBytes(StandardCharsets.UTF_8);
            try {
                for (int i = 0; i < chunks; i++) {
                    LockSupport.parkNanos(start + i * interval.toNanos() - System.nanoTime());
                    String text = MARK + Micros.now() + "] ";
                    if (i == 0) {
                        out.write(event(chunk(text, true, null)));
                    } else {
                        out.write(prefix);
                        out.write(text.getBytes(StandardCharsets.US_ASCII));
                        out.write(TEXT_SUFFIX);
                    }
                    out.flush();
                    chunksSent.incrementAndGet();
                }
                out.write(event(chunk(null, false, "stop")));
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                aborted.incrementAndGet();
            }
        }
    }

    private static String chunk(String text, boolean first, String finishReason) {
        ObjectNode chunk = Json.object();
        chunk.put("id", "chatcmpl-bench");
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", System.currentTimeMillis() / 1000);
        chunk.put("model", "bench");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
            delta.put("role", "assistant");
        }
        if (text != null) {
            delta.put("content", text);
        }
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return chunk.toString();
    }

    private static byte[] event(String json) {
        return ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
