package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop senders: each sends {@code send_message} with a {@code client_msg_id} and waits for its
 * {@code message.sent} (or {@code error}) before sending the next. Acks of sends that started in the measuring
 * window and arrived within it count, and their latency (send to ack, one process's monotonic clock) is
 * recorded as {@code ack}. The connection's reading thread, which receives the answer, sends the next message
 * itself, so that no thread hand-off per message adds to the load generator's share of the cores; the sender's
 * own thread starts the loop and counts an answer that does not come within 10 s as a time-out.
 */
final class PersistRole implements WorkerRole {
    private static final long ACK_TIMEOUT_MILLIS = 10_000;
    private static final String PADDING = "x".repeat(64);
    /** How every {@code message} event starts: the senders only look at answers to their own sends. */
    private static final String MESSAGE_EVENT = "{\"type\":\"message\",";

    /** One send waiting for its answer. */
    private record Pending(String id, long sentAtMillis, long sentAtNanos) {
    }

    /** One sender's connection and its loop; the thread that takes the outstanding send's outcome sends the next. */
    private static final class Sender implements WsClient.Handler {
        final String user;
        final String room;
        private final AtomicReference<Pending> pending = new AtomicReference<>();
        private final CompletableFuture<Void> finished = new CompletableFuture<>();
        private WorkerContext context;
        private WsClient client;
        private Histogram ack;
        private long measureStart;
        private long end;
        private long sent;
        private volatile boolean closed;

        Sender(String user, String room) {
            this.user = user;
            this.room = room;
        }

        void run(WorkerContext context, WsClient client, long start, long measureStart, long end, Histogram ack) {
            this.context = context;
            this.client = client;
            this.ack = ack;
            this.measureStart = measureStart;
            this.end = end;
            WorkerContext.sleepUntil(start);
            sendNext();
            while (!finished.isDone()) {
                try {
                    finished.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    Pending p = pending.get();
                    if (p != null && System.nanoTime() - p.sentAtNanos() > ACK_TIMEOUT_MILLIS * 1_000_000
                            && pending.compareAndSet(p, null)) {
                        context.counter("ack_timeouts").incrementAndGet();
                        sendNext();
                    }
                } catch (ExecutionException e) {
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        /** Sends the next message, or ends the loop once the window is over or the connection closed. */
        private void sendNext() {
            if (closed || System.currentTimeMillis() >= end) {
                finished.complete(null);
                return;
            }
            long n = sent++;
            String id = "p" + n;
            Pending p = new Pending(id, System.currentTimeMillis(), System.nanoTime());
            pending.set(p);
            if (!client.send(Frames.sendMessage(room, "bench " + user + " " + n + " " + PADDING, id))
                    && pending.compareAndSet(p, null)) {
                context.counter("send_failed").incrementAndGet();
                finished.complete(null);
            }
        }

        @Override
        public void onText(WsClient client, String text) {
            Pending p = pending.get();
            if (p == null || text.startsWith(MESSAGE_EVENT)) {
                return;
            }
            Frame frame = Frame.parse(text);
            if (!p.id().equals(frame.clientMsgId())) {
                return;
            }
            String outcome = switch (frame.type()) {
                case "message.sent" -> "ok";
                case "error" -> "error." + frame.errorCode();
                default -> null;
            };
            if (outcome != null && pending.compareAndSet(p, null)) {
                record(p, outcome);
                sendNext();
            }
        }

        @Override
        public void onFrame(WsClient client, Frame frame) {
            // every frame arrives through onText
        }

        @Override
        public void onClosed(WsClient client, int code, String reason) {
            closed = true;
            if (pending.getAndSet(null) != null) {
                context.counter("closed").incrementAndGet();
                context.sample(user + " closed: " + code + " " + reason);
            }
            finished.complete(null);
        }

        private void record(Pending p, String outcome) {
            long ackedAtNanos = System.nanoTime();
            long ackedAtMillis = System.currentTimeMillis();
            if (outcome.equals("ok")) {
                context.counter("acked_total").incrementAndGet();
                if (p.sentAtMillis() >= measureStart && ackedAtMillis <= end) {
                    context.counter("acked").incrementAndGet();
                    Histograms.record(ack, (ackedAtNanos - p.sentAtNanos()) / 1_000);
                }
            } else {
                context.counter(outcome).incrementAndGet();
                context.counter("errors").incrementAndGet();
            }
        }
    }

    @Override
    public void run(WorkerContext context) {
        JsonNode job = context.job();
        List<Sender> senders = new ArrayList<>();
        Map<String, Sender> byUser = new HashMap<>();
        for (JsonNode s : job.path("senders")) {
            Sender sender = new Sender(s.path("user").asText(), s.path("room").asText());
            senders.add(sender);
            byUser.put(sender.user, sender);
        }
        List<WsClient> clients = context.connectAll(senders.stream().map(s -> s.user).toList(), byUser::get,
                job.path("connect_concurrency").asInt(64));
        context.emitReady();
        JsonNode go = context.awaitCommand("go");
        long start = go.path("start_at_ms").asLong();
        long measureStart = start + job.path("warmup_ms").asLong();
        long end = measureStart + job.path("duration_ms").asLong();
        Histogram ack = context.histogram("ack");
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < senders.size(); i++) {
            WsClient client = clients.get(i);
            if (client != null) {
                Sender sender = senders.get(i);
                threads.add(Thread.ofVirtual().start(() -> sender.run(context, client, start, measureStart, end, ack)));
            }
        }
        WorkerContext.joinAll(threads, end + ACK_TIMEOUT_MILLIS + 2_000);
        context.emitResult();
        clients.forEach(c -> {
            if (c != null) {
                c.abort();
            }
        });
    }
}
