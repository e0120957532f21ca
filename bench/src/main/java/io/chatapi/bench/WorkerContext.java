package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * What a worker role works with: its job, the server's addresses, token minting, HTTP clients, the
 * coordinator's commands, its deadline, and the counters and histograms it reports at the end.
 */
final class WorkerContext {
    private final JsonNode job;
    private final PrintStream out;
    private final BlockingQueue<JsonNode> commands;
    private final List<JsonNode> held = new ArrayList<>();
    private final long deadlineMillis;
    private final Tokens tokens;
    private final ClientPool pool;
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Map<String, Histogram> histograms = new ConcurrentHashMap<>();
    private final List<String> samples = new ArrayList<>();

    WorkerContext(JsonNode job, PrintStream out, BlockingQueue<JsonNode> commands) {
        this.job = job;
        this.out = out;
        this.commands = commands;
        this.deadlineMillis = job.path("deadline_epoch_ms").asLong(System.currentTimeMillis() + 60_000);
        String secret = job.path("secret").asText("");
        this.tokens = secret.isEmpty() ? null : new Tokens(secret);
        this.pool = new ClientPool(job.hasNonNull("source") ? job.path("source").asText() : null);
    }

    JsonNode job() {
        return job;
    }

    URI http() {
        return URI.create(job.path("http").asText());
    }

    URI ws() {
        return URI.create(job.path("http").asText().replaceFirst("^http", "ws") + "/ws");
    }

    Tokens tokens() {
        if (tokens == null) {
            throw new BenchException("the job has no secret");
        }
        return tokens;
    }

    ClientPool pool() {
        return pool;
    }

    long deadlineMillis() {
        return deadlineMillis;
    }

    Duration untilDeadline() {
        return Duration.ofMillis(Math.max(0, deadlineMillis - System.currentTimeMillis()));
    }

    /** Writes one event line for the coordinator. */
    void emit(ObjectNode event) {
        String line = WorkerProcess.PREFIX + event;
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    void emit(String name, ObjectNode fields) {
        ObjectNode event = Json.object().put("event", name);
        event.setAll(fields);
        emit(event);
    }

    /** The next command of any name; fails when the coordinator went away or the deadline passed. */
    JsonNode nextCommand() {
        synchronized (held) {
            if (!held.isEmpty()) {
                return held.remove(0);
            }
        }
        try {
            JsonNode next = commands.poll(Math.max(1, deadlineMillis - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (next == null) {
                throw new BenchException("deadline passed while waiting for a command");
            }
            if (next.path("cmd").asText().equals("eof")) {
                throw new BenchException("the coordinator went away");
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted", e);
        }
    }

    /** The next command named {@code name}; other commands are kept for later. */
    JsonNode awaitCommand(String name) {
        synchronized (held) {
            for (Iterator<JsonNode> it = held.iterator(); it.hasNext(); ) {
                JsonNode c = it.next();
                if (c.path("cmd").asText().equals(name)) {
                    it.remove();
                    return c;
                }
            }
        }
        while (true) {
            JsonNode next = nextCommand();
            if (next.path("cmd").asText().equals(name)) {
                return next;
            }
            synchronized (held) {
                held.add(next);
            }
        }
    }

    AtomicLong counter(String name) {
        return counters.computeIfAbsent(name, k -> new AtomicLong());
    }

    Histogram histogram(String name) {
        return histograms.computeIfAbsent(name, k -> Histograms.concurrent());
    }

    void sample(String text) {
        synchronized (samples) {
            if (samples.size() < 20) {
                samples.add(text);
            }
        }
    }

    /** Sends the {@code result} event: every counter and histogram recorded so far. */
    void emitResult() {
        emitResult("result");
    }

    /** Sends the counters and histograms so far as an event named {@code name} (the final one is {@code result}). */
    void emitResult(String name) {
        ObjectNode event = Json.object().put("event", name);
        ObjectNode c = event.putObject("counters");
        counters.forEach((k, v) -> c.put(k, v.get()));
        ObjectNode h = event.putObject("histograms");
        histograms.forEach((k, v) -> h.put(k, Histograms.encode(v)));
        synchronized (samples) {
            samples.forEach(event.putArray("samples")::add);
        }
        emit(event);
    }

    /**
     * Opens one connection per user, at most {@code concurrency} handshakes at a time; failures are counted
     * ({@code connect_failed}) and the first few kept as samples. Returns the open connections by index.
     */
    List<WsClient> connectAll(List<String> users, Function<String, WsClient.Handler> handlers, int concurrency) {
        WsClient[] clients = new WsClient[users.size()];
        Semaphore permits = new Semaphore(Math.max(1, concurrency));
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            int index = i;
            String user = users.get(i);
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted", e);
            }
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    clients[index] = WsClient.connect(pool.source(), ws(), user, tokens().user(user), handlers.apply(user),
                            Duration.ofSeconds(15));
                    counter("connected").incrementAndGet();
                } catch (BenchException e) {
                    counter("connect_failed").incrementAndGet();
                    sample("connect " + user + ": " + e.getMessage());
                } finally {
                    permits.release();
                }
            }));
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted", e);
            }
        }
        List<WsClient> out = new ArrayList<>(clients.length);
        for (WsClient client : clients) {
            out.add(client);
        }
        return out;
    }

    /** Emits {@code ready} with the connect counts. */
    void emitReady() {
        ObjectNode fields = Json.object();
        fields.put("connected", counter("connected").get());
        fields.put("connect_failed", counter("connect_failed").get());
        emit("ready", fields);
    }

    /** Sleeps until the given wall-clock time (epoch ms); returns immediately when it has passed. */
    static void sleepUntil(long epochMillis) {
        long wait = epochMillis - System.currentTimeMillis();
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void joinAll(List<Thread> threads, long untilEpochMillis) {
        for (Thread thread : threads) {
            try {
                long wait = Math.max(1, untilEpochMillis - System.currentTimeMillis());
                thread.join(Duration.ofMillis(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
