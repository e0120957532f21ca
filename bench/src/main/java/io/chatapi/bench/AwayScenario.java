package io.chatapi.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Sends into one room whose members are nearly all away: every message queues an offline delivery for each member
 * with no socket open, and with {@code --webhook on} a {@code message.offline} notification for each too, posted to
 * a local receiver that answers 204. S closed-loop senders, members of the room, each
 * {@code POST /rooms/{id}/messages} and wait for the answer before the next, with no rate limit. Reports messages
 * per second, the offline-queue rows they write per second, the send latency, and the notifications received.
 */
final class AwayScenario implements Scenario {
    static final List<Integer> MEMBERS = List.of(1000, 5000);

    @Override
    public String name() {
        return "away";
    }

    @Override
    public Set<String> options() {
        return Set.of("members", "senders", "warmup", "duration", "webhook");
    }

    @Override
    public void run(BenchContext context) throws InterruptedException {
        BenchOptions options = context.options();
        List<Integer> sweep = options.integers("members", MEMBERS, List.of(20));
        int senders = options.integer("senders", 5, 2);
        Duration warmup = options.duration("warmup", Duration.ofSeconds(5), Duration.ofMillis(200));
        Duration duration = options.duration("duration", Duration.ofSeconds(15), Duration.ofSeconds(1));
        String webhook = options.string("webhook", "off", "on");
        if (!webhook.equals("on") && !webhook.equals("off")) {
            throw new BenchException("--webhook must be on or off, not " + webhook);
        }
        for (int members : sweep) {
            if (members <= senders) {
                throw new BenchException("--members must be above --senders (" + senders + ")");
            }
            if (webhook.equals("on")) {
                try (Receiver receiver = Receiver.start()) {
                    measure(context, members, senders, warmup, duration, receiver);
                }
            } else {
                measure(context, members, senders, warmup, duration, null);
            }
        }
    }

    private void measure(BenchContext context, int members, int senders, Duration warmup, Duration duration,
                         Receiver receiver) throws InterruptedException {
        Map<String, String> settings = new HashMap<>(Map.of("MAX_ROOM_MEMBERS",
                Integer.toString(Math.max(1000, members)), "RATE_LIMIT_MESSAGES", "0"));
        if (receiver != null) {
            settings.put("WEBHOOK_URL", receiver.url());
        }
        try (ServerProcess server = context.startServer(settings)) {
            Api admin = context.adminApi(server);
            List<String> senderIds = Setup.users("away-s", senders);
            List<String> all = new ArrayList<>(senderIds);
            all.addAll(Setup.users("away-m", members - senders));
            String room = admin.createGroup("away", all);
            context.progress("room of " + members + " members, " + senders + " senders, sending for "
                    + warmup.plus(duration).toMillis() + " ms");
            Histogram latency = Histograms.concurrent();
            AtomicLong sent = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            long measureFrom = System.nanoTime() + warmup.toNanos();
            long end = measureFrom + duration.toNanos();
            List<Thread> threads = new ArrayList<>();
            for (String sender : senderIds) {
                Api api = admin.as(context.tokens().user(sender));
                threads.add(Thread.ofVirtual().start(() -> send(api, room, sender, measureFrom, end, latency, sent,
                        errors)));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            if (receiver != null && sent.get() > 0) {
                receiver.awaitFirst(Duration.ofSeconds(10)); // a loaded machine may not have sent one yet
            }
            double seconds = duration.toNanos() / 1e9;
            double perSecond = sent.get() / seconds;
            context.report().add(Measurement.of(name())
                    .param("members", members)
                    .param("senders", senders)
                    .param("webhook", receiver != null)
                    .param("duration_s", seconds)
                    .figure("msgs_per_s", perSecond)
                    .figure("queue_rows_per_s", perSecond * (members - senders))
                    .figure("send_p50_ms", Histograms.millis(latency, 50))
                    .figure("send_p99_ms", Histograms.millis(latency, 99))
                    .figure("errors", errors.get())
                    .figure("notifications_received", receiver == null ? null : receiver.received())
                    .note("every member but the senders is away: each message queues one offline-delivery row per "
                            + "away member, and with the webhook on a message.offline outbox row too; senders wait "
                            + "for each answer; no rate limit; notifications_received counts the whole run, and "
                            + "when none came in it, up to 10 s more for the first")
                    .build());
        }
    }

    /** A webhook receiver on loopback that answers 204 and counts what it gets. */
    private static final class Receiver implements AutoCloseable {
        private final HttpServer server;
        private final AtomicLong received = new AtomicLong();

        private Receiver(HttpServer server) {
            this.server = server;
        }

        static Receiver start() {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
                Receiver receiver = new Receiver(server);
                server.createContext("/hook", exchange -> {
                    exchange.getRequestBody().readAllBytes();
                    receiver.received.incrementAndGet();
                    exchange.sendResponseHeaders(204, -1);
                    exchange.close();
                });
                server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
                server.start();
                return receiver;
            } catch (IOException e) {
                throw new BenchException("cannot start the webhook receiver: " + e.getMessage(), e);
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        long received() {
            return received.get();
        }

        /** Waits until a notification came, or {@code wait} passed. */
        void awaitFirst(Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (received.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static void send(Api api, String room, String sender, long measureFrom, long end, Histogram latency,
                             AtomicLong sent, AtomicLong errors) {
        long n = 0;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            int status;
            try {
                status = api.postMessage(room, "to everyone away " + n, sender + "-" + n);
            } catch (BenchException e) {
                status = -1;
            }
            n++;
            long t1 = System.nanoTime();
            if (t0 < measureFrom || t1 > end) {
                continue;
            }
            if (status == 200) {
                sent.incrementAndGet();
                Histograms.record(latency, (t1 - t0) / 1_000);
            } else {
                errors.incrementAndGet();
            }
        }
    }
}
