package io.chatapi.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Sends into one room whose members are nearly all away: every message queues an offline delivery for each member
 * with no socket open (no webhook is set, so no outbox rows). S closed-loop senders, members of the room, each
 * {@code POST /rooms/{id}/messages} and wait for the answer before the next, with no rate limit. Reports messages
 * per second, the offline-queue rows they write per second, and the send latency.
 */
final class AwayScenario implements Scenario {
    static final List<Integer> MEMBERS = List.of(1000, 5000);

    @Override
    public String name() {
        return "away";
    }

    @Override
    public Set<String> options() {
        return Set.of("members", "senders", "warmup", "duration");
    }

    @Override
    public void run(BenchContext context) throws InterruptedException {
        BenchOptions options = context.options();
        List<Integer> sweep = options.integers("members", MEMBERS, List.of(20));
        int senders = options.integer("senders", 5, 2);
        Duration warmup = options.duration("warmup", Duration.ofSeconds(5), Duration.ofMillis(200));
        Duration duration = options.duration("duration", Duration.ofSeconds(15), Duration.ofSeconds(1));
        for (int members : sweep) {
            if (members <= senders) {
                throw new BenchException("--members must be above --senders (" + senders + ")");
            }
            measure(context, members, senders, warmup, duration);
        }
    }

    private void measure(BenchContext context, int members, int senders, Duration warmup, Duration duration)
            throws InterruptedException {
        Map<String, String> settings = Map.of("MAX_ROOM_MEMBERS", Integer.toString(Math.max(1000, members)),
                "RATE_LIMIT_MESSAGES", "0");
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
            double seconds = duration.toNanos() / 1e9;
            double perSecond = sent.get() / seconds;
            context.report().add(Measurement.of(name())
                    .param("members", members)
                    .param("senders", senders)
                    .param("duration_s", seconds)
                    .figure("msgs_per_s", perSecond)
                    .figure("queue_rows_per_s", perSecond * (members - senders))
                    .figure("send_p50_ms", Histograms.millis(latency, 50))
                    .figure("send_p99_ms", Histograms.millis(latency, 99))
                    .figure("errors", errors.get())
                    .note("every member but the senders is away: each message queues one offline-delivery row per "
                            + "away member (no WEBHOOK_URL, so no outbox rows); senders wait for each answer; no rate limit")
                    .build());
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
