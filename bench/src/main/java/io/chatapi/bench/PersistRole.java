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
import org.HdrHistogram.Histogram;

/**
 * Closed-loop senders: each sends {@code send_message} with a {@code client_msg_id} and waits for its
 * {@code message.sent} (or {@code error}) before sending the next. Acks of sends that started in the measuring
 * window and arrived within it count, and their latency (send to ack, one process's monotonic clock) is
 * recorded as {@code ack}.
 */
final class PersistRole implements WorkerRole {
    private static final long ACK_TIMEOUT_MILLIS = 10_000;
    private static final String PADDING = "x".repeat(64);

    /** One sender's connection and its one outstanding send. */
    private static final class Sender implements WsClient.Handler {
        final String user;
        final String room;
        volatile String pendingId;
        volatile CompletableFuture<String> pending = new CompletableFuture<>();

        Sender(String user, String room) {
            this.user = user;
            this.room = room;
        }

        @Override
        public void onFrame(WsClient client, Frame frame) {
            String id = pendingId;
            if (id == null || !id.equals(frame.clientMsgId())) {
                return;
            }
            if (frame.type().equals("message.sent")) {
                pending.complete("ok");
            } else if (frame.type().equals("error")) {
                pending.complete("error." + frame.errorCode());
            }
        }

        @Override
        public void onClosed(WsClient client, int code, String reason) {
            pending.complete("closed");
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
                threads.add(Thread.ofVirtual().start(() -> loop(context, sender, client, start, measureStart, end, ack)));
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

    private static void loop(WorkerContext context, Sender sender, WsClient client, long start, long measureStart,
                             long end, Histogram ack) {
        WorkerContext.sleepUntil(start);
        long n = 0;
        while (System.currentTimeMillis() < end) {
            String id = "p" + n++;
            CompletableFuture<String> pending = new CompletableFuture<>();
            sender.pending = pending;
            sender.pendingId = id;
            long sentAtMillis = System.currentTimeMillis();
            long t0 = System.nanoTime();
            if (!client.send(Frames.sendMessage(sender.room, "bench " + sender.user + " " + n + " " + PADDING, id))) {
                context.counter("send_failed").incrementAndGet();
                return;
            }
            String outcome;
            try {
                outcome = pending.get(ACK_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                context.counter("ack_timeouts").incrementAndGet();
                continue;
            } catch (ExecutionException e) {
                outcome = "error.unknown";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long t1 = System.nanoTime();
            long ackedAtMillis = System.currentTimeMillis();
            switch (outcome) {
                case "ok" -> {
                    context.counter("acked_total").incrementAndGet();
                    if (sentAtMillis >= measureStart && ackedAtMillis <= end) {
                        context.counter("acked").incrementAndGet();
                        Histograms.record(ack, (t1 - t0) / 1_000);
                    }
                }
                case "closed" -> {
                    context.counter("closed").incrementAndGet();
                    context.sample(sender.user + " closed: " + client.closed().getNow(null));
                    return;
                }
                default -> {
                    context.counter(outcome).incrementAndGet();
                    context.counter("errors").incrementAndGet();
                }
            }
        }
    }
}
