package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Bot replies under load. Humans, one per bot room, each send a message and wait for the streamed reply to
 * end before sending the next; every delta's embedded send times give {@code relay} (chunk left the fake LLM
 * → delta arrived here). The humans' first messages are spread evenly over {@code stagger_us}, so that the
 * streams' chunks are not all written in the same instant (independent streams would not be); {@code burst}
 * records, for each measured chunk, how many chunks the fake wrote in the millisecond before it (all streams).
 * Meanwhile a probe pair exchanges plain messages at a fixed rate: {@code plain.b} before the streams start
 * (baseline), {@code plain.s} while they run and {@code plain.a} once they have ended; and a few streams of the
 * same fake LLM come straight here with no server in between ({@link DirectStream}), whose chunks give
 * {@code direct}: what the shared machine alone costs a chunk at that moment.
 */
final class RelayRole implements WorkerRole {
    private static final long REPLY_TIMEOUT_MILLIS = 30_000;

    /** One human waiting for its bot's reply. */
    private final class Human implements WsClient.Handler {
        final String user;
        final String room;
        volatile CompletableFuture<String> reply = new CompletableFuture<>();

        Human(String user, String room) {
            this.user = user;
            this.room = room;
        }

        @Override
        public void onFrame(WsClient client, Frame frame) {
            if (!room.equals(frame.roomId())) {
                return;
            }
            switch (frame.type()) {
                case "message.stream.start" -> context.counter("streams_started").incrementAndGet();
                case "message.stream.delta" -> {
                    long now = Micros.now();
                    context.counter("deltas").incrementAndGet();
                    if (now >= measureFromMicros) {
                        for (long sent : FakeLlmServer.stamps(frame.delta())) {
                            Histograms.record(context.histogram("relay"), now - sent);
                            measuredSends.add(sent);
                        }
                    }
                }
                case "message.stream.end" -> {
                    context.counter("streams_ended").incrementAndGet();
                    reply.complete("end." + frame.reason());
                }
                case "message.stream.error" -> {
                    context.counter("stream_errors").incrementAndGet();
                    reply.complete("error." + frame.reason());
                }
                default -> {
                }
            }
        }

        @Override
        public void onClosed(WsClient client, int code, String reason) {
            context.counter("closed").incrementAndGet();
            reply.complete("closed");
        }
    }

    private WorkerContext context;
    private volatile long measureFromMicros = Long.MAX_VALUE;
    private final Queue<Long> measuredSends = new ConcurrentLinkedQueue<>();

    @Override
    public void run(WorkerContext workerContext) {
        this.context = workerContext;
        JsonNode job = context.job();
        List<Human> humans = new ArrayList<>();
        Map<String, WsClient.Handler> handlers = new HashMap<>();
        for (JsonNode h : job.path("humans")) {
            Human human = new Human(h.path("user").asText(), h.path("room").asText());
            humans.add(human);
            handlers.put(human.user, human);
        }
        JsonNode probe = job.path("probe");
        String probeRoom = probe.path("room").asText();
        String probeSender = probe.path("sender").asText();
        String probeReceiver = probe.path("receiver").asText();
        handlers.put(probeSender, (client, frame) -> {
        });
        handlers.put(probeReceiver, (client, frame) -> {
            if (frame.type().equals("message") && probeRoom.equals(frame.roomId())) {
                FanoutContent content = FanoutContent.parse("probe", frame.content());
                if (content != null && !content.step().equals("w")) {
                    Histograms.record(context.histogram("plain." + content.step()), Micros.now() - content.sentMicros());
                    context.counter("plain." + content.step()).incrementAndGet();
                }
            }
        });
        List<String> users = new ArrayList<>(humans.stream().map(h -> h.user).toList());
        users.add(probeSender);
        users.add(probeReceiver);
        List<WsClient> clients = context.connectAll(users, handlers::get, job.path("connect_concurrency").asInt(64));
        context.emitReady();
        long start = context.awaitCommand("go").path("start_at_ms").asLong();
        long baselineFrom = start + job.path("warmup_ms").asLong();
        long streamsFrom = baselineFrom + job.path("baseline_ms").asLong();
        long measureFrom = streamsFrom + job.path("stream_warmup_ms").asLong();
        long end = measureFrom + job.path("streams_ms").asLong();
        long afterFrom = end + job.path("settle_ms").asLong();
        long afterEnd = afterFrom + job.path("baseline_ms").asLong();
        measureFromMicros = measureFrom * 1_000;
        List<Thread> threads = new ArrayList<>();
        WsClient senderSocket = clients.get(users.size() - 2);
        if (senderSocket != null && clients.get(users.size() - 1) != null) {
            double rate = job.path("probe_rate").asDouble(20);
            threads.add(Thread.ofVirtual().start(() ->
                    probe(senderSocket, probeRoom, rate, start, new long[] {baselineFrom, streamsFrom, measureFrom, end,
                            afterFrom, afterEnd})));
        } else {
            context.counter("probe_unavailable").incrementAndGet();
        }
        long staggerNanos = job.path("stagger_us").asLong(0) * 1_000;
        for (int i = 0; i < humans.size(); i++) {
            WsClient socket = clients.get(i);
            Human human = humans.get(i);
            long offsetNanos = staggerNanos * i / humans.size();
            if (socket != null) {
                threads.add(Thread.ofVirtual().start(() -> converse(human, socket, streamsFrom, offsetNanos, end)));
            }
        }
        JsonNode direct = job.path("direct");
        int directStreams = direct.path("streams").asInt(0);
        for (int i = 0; i < directStreams; i++) {
            long offsetNanos = staggerNanos * i / directStreams;
            URI url = URI.create(direct.path("url").asText());
            String key = direct.path("key").asText();
            threads.add(Thread.ofVirtual().start(() -> directly(url, key, streamsFrom, offsetNanos, end)));
        }
        WorkerContext.joinAll(threads, Math.max(end + REPLY_TIMEOUT_MILLIS, afterEnd) + 2_000);
        recordBursts();
        context.emitResult();
        clients.forEach(c -> {
            if (c != null) {
                c.abort();
            }
        });
    }

    /** For each measured chunk, the number of chunks (all streams) written in the millisecond up to it. */
    private void recordBursts() {
        long[] sends = measuredSends.stream().mapToLong(Long::longValue).sorted().toArray();
        int first = 0;
        for (int i = 0; i < sends.length; i++) {
            while (sends[first] < sends[i] - 1_000) {
                first++;
            }
            Histograms.record(context.histogram("burst"), i - first + 1);
        }
    }

    private void converse(Human human, WsClient socket, long from, long offsetNanos, long end) {
        WorkerContext.sleepUntil(from);
        LockSupport.parkNanos(offsetNanos);
        int n = 0;
        while (System.currentTimeMillis() < end) {
            CompletableFuture<String> reply = new CompletableFuture<>();
            human.reply = reply;
            if (!socket.send(Frames.sendMessage(human.room, "question " + n++ + " from " + human.user, null))) {
                context.counter("send_failed").incrementAndGet();
                return;
            }
            context.counter("questions").incrementAndGet();
            try {
                String outcome = reply.get(REPLY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                context.counter("reply." + outcome).incrementAndGet();
                if (outcome.equals("closed")) {
                    return;
                }
            } catch (TimeoutException e) {
                context.counter("no_reply").incrementAndGet();
                context.sample(human.user + ": no reply within " + REPLY_TIMEOUT_MILLIS + " ms");
            } catch (ExecutionException e) {
                context.counter("no_reply").incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Streams completions from the fake LLM with no server in between, one after the other, until {@code end}. */
    private void directly(URI url, String key, long from, long offsetNanos, long end) {
        WorkerContext.sleepUntil(from);
        LockSupport.parkNanos(offsetNanos);
        while (System.currentTimeMillis() < end) {
            try {
                int stamps = DirectStream.run(url, key, latency -> {
                    if (Micros.now() >= measureFromMicros) {
                        Histograms.record(context.histogram("direct"), latency);
                    }
                });
                if (stamps == 0) {
                    throw new IOException("a completion without a single chunk");
                }
                context.counter("direct_completions").incrementAndGet();
            } catch (IOException e) {
                context.counter("direct_errors").incrementAndGet();
                context.sample("direct stream: " + e);
                return;
            }
        }
    }

    /**
     * Sends probe messages from {@code start} until the last of {@code bounds} (epoch ms: baseline from, streams
     * from, measured from, streams end, after-baseline from, after-baseline end), each tagged with its phase:
     * {@code b} baseline, {@code s} during the measured streams, {@code a} after them, {@code w} not measured.
     */
    private void probe(WsClient socket, String room, double rate, long start, long[] bounds) {
        String[] phases = {"w", "b", "w", "s", "w", "a"};
        WorkerContext.sleepUntil(start);
        long period = (long) (1_000_000_000L / rate);
        long t0 = System.nanoTime();
        for (long i = 0; ; i++) {
            LockSupport.parkNanos(t0 + i * period - System.nanoTime());
            long now = System.currentTimeMillis();
            if (now >= bounds[bounds.length - 1]) {
                return;
            }
            int k = 0;
            while (k < bounds.length && now >= bounds[k]) {
                k++;
            }
            String phase = phases[k];
            if (!socket.send(Frames.sendMessage(room, new FanoutContent("probe", phase, Micros.now()).text(), null))) {
                context.counter("probe_send_failed").incrementAndGet();
                return;
            }
            context.counter("probe_sent." + phase).incrementAndGet();
        }
    }
}
