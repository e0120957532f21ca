package io.chatapi.bootstrap.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An LLM provider played by a local HTTP server: OpenAI-compatible {@code /chat/completions} and Anthropic
 * {@code /messages}, streaming whatever script the test sets, and noticing when the client hangs up.
 */
final class FakeLlm implements AutoCloseable {
    /** One step of a scripted reply. */
    sealed interface Step {
    }

    record Chunk(String text) implements Step {
    }

    record Pause(long millis) implements Step {
    }

    /** Keeps the stream open, sending comments, until the client goes away. */
    record HangUntilClosed() implements Step {
    }

    record Status(int code) implements Step {
    }

    /** Sends nothing until the test opens the latch (at most ten seconds). */
    record Gate(CountDownLatch open) implements Step {
    }

    /** Writes raw SSE text as is (for malformed lines). */
    record Raw(String text) implements Step {
    }

    /** A request as received. */
    record Received(String path, Map<String, String> headers, JsonNode body) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<Received, List<Step>> script = r -> List.of(new Chunk("Hello"), new Chunk(" there"));
    private volatile CountDownLatch hungUp = new CountDownLatch(1);

    FakeLlm() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void script(Function<Received, List<Step>> script) {
        this.hungUp = new CountDownLatch(1);
        this.script = script;
    }

    void reply(Step... steps) {
        script(r -> List.of(steps));
    }

    List<Received> received() {
        return received;
    }

    /** Released when a client hung up on a stream. */
    CountDownLatch hungUp() {
        return hungUp;
    }

    private void handle(HttpExchange exchange) throws IOException {
        var headers = new java.util.HashMap<String, String>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
        JsonNode body = WsClient.JSON.readTree(exchange.getRequestBody().readAllBytes());
        Received request = new Received(exchange.getRequestURI().getPath(), Map.copyOf(headers), body);
        received.add(request);
        boolean anthropic = request.path().endsWith("/messages");
        List<Step> steps = script.apply(request);
        CountDownLatch latch = hungUp;
        try {
            if (!steps.isEmpty() && steps.get(0) instanceof Status status) {
                byte[] error = "{\"error\":{\"message\":\"nope\"}}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status.code(), error.length);
                exchange.getResponseBody().write(error);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            if (anthropic) {
                write(out, "event: message_start\ndata: {\"type\":\"message_start\"}\n\n");
            }
            for (Step step : steps) {
                switch (step) {
                    case Chunk chunk -> write(out, anthropic ? anthropicDelta(chunk.text()) : openAiDelta(chunk.text()));
                    case Pause pause -> sleep(pause.millis());
                    case HangUntilClosed hang -> {
                        while (true) {
                            write(out, ": still thinking\n\n");
                            sleep(50);
                        }
                    }
                    case Raw raw -> write(out, raw.text());
                    case Gate gate -> await(gate.open());
                    case Status status -> throw new IllegalStateException("status must come first");
                }
            }
            write(out, anthropic ? "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
                    : "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
            exchange.close();
        } catch (IOException e) {
            latch.countDown();
            exchange.close();
        }
    }

    private static String openAiDelta(String text) {
        return "data: {\"choices\":[{\"delta\":{\"content\":" + WsClient.JSON.valueToTree(text) + "}}]}\n\n";
    }

    private static String anthropicDelta(String text) {
        return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":" + WsClient.JSON.valueToTree(text) + "}}\n\n";
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IOException("the gate was never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
