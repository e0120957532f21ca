package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients that survive a server restart: each holds the seqs it received in its room; when its socket closes
 * it waits the {@code reconnect_after_ms} of {@code server.shutdown} (if one came), reconnects with
 * exponential backoff and full jitter, sends {@code resume} with its last contiguous seq and waits for
 * {@code resume.done} (paging REST when it says {@code complete:false}). On {@code verify} it compares what
 * every client holds with the room histories the coordinator sends.
 */
final class StormRole implements WorkerRole {
    private static final long RESUME_TIMEOUT_MILLIS = 30_000;

    /** One client's state. */
    private final class Client implements WsClient.Handler {
        final String user;
        final String room;
        final BitSet seqs = new BitSet();
        volatile WsClient socket;
        volatile long reconnectAfterMs = -1;
        volatile long shutdownAtNanos;
        volatile CompletableFuture<Frame> resumeDone = new CompletableFuture<>();
        private String token;

        Client(String user, String room) {
            this.user = user;
            this.room = room;
        }

        /** The client's token, signed once: every reconnect attempt presents the same one, as a real client does. */
        String token(WorkerContext context) {
            if (token == null) {
                token = context.tokens().user(user);
            }
            return token;
        }

        @Override
        public void onFrame(WsClient client, Frame frame) {
            switch (frame.type()) {
                case "message" -> {
                    if (room.equals(frame.roomId()) && frame.seq() > 0 && frame.seq() < Integer.MAX_VALUE) {
                        synchronized (seqs) {
                            if (seqs.get((int) frame.seq())) {
                                // a replay of a seq the client holds is expected: it resumes from its last
                                // contiguous seq, and messages may have arrived live before it sent resume;
                                // a live message for a seq it holds would be a duplicate delivery
                                context.counter(frame.replay() ? "replayed_again" : "duplicates").incrementAndGet();
                            } else {
                                seqs.set((int) frame.seq());
                            }
                        }
                        if (frame.replay()) {
                            context.counter("replayed").incrementAndGet();
                        }
                    }
                }
                case "server.shutdown" -> {
                    shutdownAtNanos = System.nanoTime();
                    reconnectAfterMs = Math.max(0, frame.reconnectAfterMs());
                    context.counter("shutdown_frames").incrementAndGet();
                }
                case "resume.done" -> resumeDone.complete(frame);
                case "error" -> {
                    context.counter("error." + frame.errorCode()).incrementAndGet();
                    if ("forbidden".equals(frame.errorCode()) || "not_found".equals(frame.errorCode())) {
                        resumeDone.completeExceptionally(new BenchException("resume refused: " + frame.errorCode()));
                    }
                }
                default -> {
                }
            }
        }

        long lastContiguous() {
            synchronized (seqs) {
                return seqs.nextClearBit(1) - 1L;
            }
        }
    }

    private WorkerContext context;
    private final AtomicBoolean finishing = new AtomicBoolean();
    private final AtomicLong lastResumedMicros = new AtomicLong();

    @Override
    public void run(WorkerContext workerContext) {
        this.context = workerContext;
        JsonNode job = context.job();
        Backoff backoff = new Backoff(job.path("backoff_base_ms").asLong(100), job.path("backoff_cap_ms").asLong(2_000));
        List<Client> clients = new ArrayList<>();
        Map<String, Client> byUser = new HashMap<>();
        for (JsonNode c : job.path("clients")) {
            Client client = new Client(c.path("user").asText(), c.path("room").asText());
            clients.add(client);
            byUser.put(client.user, client);
        }
        List<WsClient> sockets = context.connectAll(clients.stream().map(c -> c.user).toList(), byUser::get,
                job.path("connect_concurrency").asInt(64));
        List<Thread> sessions = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            Client client = clients.get(i);
            client.socket = sockets.get(i);
            if (client.socket != null) {
                sessions.add(Thread.ofVirtual().start(() -> session(client, backoff)));
            }
        }
        Thread progress = Thread.ofVirtual().start(this::reportProgress);
        context.emitReady();
        JsonNode verify = context.awaitCommand("verify");
        finishing.set(true);
        progress.interrupt();
        verify(clients, verify);
        context.emitResult();
        sessions.forEach(Thread::interrupt);
        clients.forEach(c -> {
            if (c.socket != null) {
                c.socket.abort();
            }
        });
    }

    private void session(Client client, Backoff backoff) {
        while (!finishing.get()) {
            WsClient.Closed closed;
            try {
                closed = client.socket.closed().get(context.untilDeadline().toMillis() + 1, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            } catch (ExecutionException | TimeoutException e) {
                return;
            }
            if (finishing.get()) {
                return;
            }
            long closedAtNanos = System.nanoTime();
            context.counter("closes").incrementAndGet();
            context.counter("closes.code." + closed.code()).incrementAndGet();
            long waitMillis = 0;
            if (client.reconnectAfterMs >= 0) {
                long sinceShutdown = TimeUnit.NANOSECONDS.toMillis(closedAtNanos - client.shutdownAtNanos);
                waitMillis = Math.max(0, client.reconnectAfterMs - sinceShutdown);
                client.reconnectAfterMs = -1;
            }
            if (!pause(waitMillis)) {
                return;
            }
            long dueNanos = System.nanoTime();
            if (!reconnect(client, backoff)) {
                return;
            }
            resume(client, closedAtNanos, dueNanos);
        }
    }

    /**
     * Reconnects with exponential backoff and full jitter. A refused attempt (nothing listening yet) costs a
     * TCP connect: the client opens its socket itself and writes the handshake only once connected.
     */
    private boolean reconnect(Client client, Backoff backoff) {
        for (int attempt = 0; !finishing.get() && System.currentTimeMillis() < context.deadlineMillis(); attempt++) {
            client.resumeDone = new CompletableFuture<>();
            try {
                client.socket = WsClient.connect(context.pool().source(), context.ws(), client.user,
                        client.token(context), client, Duration.ofSeconds(10));
                return true;
            } catch (BenchException e) {
                context.counter("connect_errors").incrementAndGet();
                if (!pause(backoff.delayMillis(attempt, ThreadLocalRandom.current()))) {
                    return false;
                }
            }
        }
        return false;
    }

    /**
     * Resumes and waits for {@code resume.done}. Records the time since the socket closed ({@code reconnect}) and
     * since the client set out, its {@code reconnect_after_ms} over ({@code late}, from {@code dueNanos}).
     */
    private void resume(Client client, long closedAtNanos, long dueNanos) {
        long last = client.lastContiguous();
        if (!client.socket.send(Frames.resume(Map.of(client.room, last)))) {
            // the socket failed under the write: the server closed it (a stopping server closes the sockets that
            // reach it), so the session waits for its close and reconnects, as after a close before resume.done
            context.counter("resume_interrupted").incrementAndGet();
            context.sample(client.user + " resume: the socket failed as the resume was written");
            return;
        }
        try {
            // a socket the server closes before resume.done (it was stopping) ends the wait: the session reconnects
            Object first = CompletableFuture.anyOf(client.resumeDone, client.socket.closed())
                    .get(RESUME_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (!(first instanceof Frame done)) {
                context.counter("resume_interrupted").incrementAndGet();
                return;
            }
            if (!done.complete()) {
                context.counter("incomplete_resumes").incrementAndGet();
                page(client);
            }
            long now = System.nanoTime();
            Histograms.record(context.histogram("reconnect"), (now - closedAtNanos) / 1_000);
            Histograms.record(context.histogram("late"), (now - dueNanos) / 1_000);
            lastResumedMicros.accumulateAndGet(Micros.now(), Math::max);
            context.counter("resumed").incrementAndGet();
        } catch (ExecutionException | TimeoutException e) {
            context.counter("resume_failed").incrementAndGet();
            context.sample(client.user + " resume: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void page(Client client) {
        Api api = new Api(context.pool().any(), context.http(), context.tokens().user(client.user));
        try {
            for (long seq : api.seqsAfter(client.room, client.lastContiguous())) {
                synchronized (client.seqs) {
                    client.seqs.set((int) seq);
                }
            }
        } catch (BenchException e) {
            context.counter("page_failed").incrementAndGet();
        }
    }

    private void reportProgress() {
        long last = -1;
        while (!finishing.get()) {
            long resumed = context.counter("resumed").get();
            long errors = context.counter("connect_errors").get();
            long closes = context.counter("closes").get();
            long signature = resumed * 31 + errors * 17 + closes;
            if (signature != last) {
                last = signature;
                ObjectNode fields = Json.object();
                fields.put("resumed", resumed);
                fields.put("closes", closes);
                fields.put("connect_errors", errors);
                fields.put("last_resumed_micros", lastResumedMicros.get());
                context.emit("progress", fields);
            }
            if (!pause(100)) {
                return;
            }
        }
    }

    /** Waits (bounded by {@code wait_ms}) until every client holds its room's history, then counts what is missing. */
    private void verify(List<Client> clients, JsonNode command) {
        Map<String, long[]> history = new HashMap<>();
        command.path("rooms").properties().forEach(e -> {
            long[] seqs = new long[e.getValue().size()];
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = e.getValue().get(i).asLong();
            }
            history.put(e.getKey(), seqs);
        });
        long until = System.currentTimeMillis() + command.path("wait_ms").asLong(10_000);
        while (System.currentTimeMillis() < until && clients.stream().anyMatch(c -> missing(c, history) > 0)) {
            if (!pause(50)) {
                break;
            }
        }
        long missed = 0;
        long clientsMissing = 0;
        for (Client client : clients) {
            long m = missing(client, history);
            if (m > 0) {
                missed += m;
                clientsMissing++;
                context.sample(client.user + " in " + client.room + " misses " + m + " message(s), holds up to "
                        + client.lastContiguous());
            }
            synchronized (client.seqs) {
                context.counter("received").addAndGet(client.seqs.cardinality());
            }
        }
        context.counter("missed").addAndGet(missed);
        context.counter("clients_missing").addAndGet(clientsMissing);
    }

    private static long missing(Client client, Map<String, long[]> history) {
        long[] expected = history.getOrDefault(client.room, new long[0]);
        long missing = 0;
        synchronized (client.seqs) {
            for (long seq : expected) {
                if (seq >= Integer.MAX_VALUE || !client.seqs.get((int) seq)) {
                    missing++;
                }
            }
        }
        return missing;
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
