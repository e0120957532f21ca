package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Durable-write throughput: N closed-loop senders over WebSocket, each its own user, paired two by two into
 * group rooms (both members online, so no offline queue), waiting for {@code message.sent} before the next
 * send; then the SQLite ceiling with the same shape, and persist ÷ ceiling.
 */
final class PersistScenario implements Scenario {
    static final List<Integer> SENDERS = List.of(64, 256, 512);

    /**
     * Sending before the measured window: the JIT on these 2 shared cores was still compiling the send path (a
     * quarter of the server's CPU) 15 s into a run, and the figures are those of a running server, not of its first
     * seconds (256 senders: 6,132 msg/s after 2 s, 7,409 and 7,746 after 20 s).
     */
    static final Duration WARMUP = Duration.ofSeconds(20);

    @Override
    public String name() {
        return "persist";
    }

    @Override
    public Set<String> options() {
        return Set.of("senders", "warmup", "duration", "sync", "ceiling");
    }

    @Override
    public void run(BenchContext context) {
        BenchOptions options = context.options();
        List<Integer> sweep = options.integers("senders", SENDERS, List.of(4));
        Duration warmup = options.duration("warmup", WARMUP, Duration.ofMillis(200));
        Duration duration = options.duration("duration", Duration.ofSeconds(10), Duration.ofSeconds(1));
        String sync = options.string("sync", "FULL", "FULL").toUpperCase(Locale.ROOT);
        if (!sync.equals("FULL") && !sync.equals("NORMAL")) {
            throw new BenchException("--sync must be FULL or NORMAL, not " + sync);
        }
        boolean ceiling = !options.string("ceiling", "on", "on").equals("off");
        for (int senders : sweep) {
            Measurement.Builder row = Measurement.of(name())
                    .param("senders", senders)
                    .param("sync", sync)
                    .param("duration_s", duration.toMillis() / 1000.0);
            WorkerResults results = measure(context, senders, warmup, duration, sync);
            Histogram ack = results.histogram("ack");
            double ackedPerSecond = results.counter("acked") / (duration.toMillis() / 1000.0);
            row.figure("acked_msgs_per_s", ackedPerSecond)
                    .figure("ack_p50_ms", Histograms.millis(ack, 50))
                    .figure("ack_p99_ms", Histograms.millis(ack, 99))
                    .figure("ack_p999_ms", Histograms.millis(ack, 99.9))
                    .figure("errors", results.counter("errors") + results.counter("ack_timeouts")
                            + results.counter("send_failed") + results.counter("closed"))
                    .figure("connect_failed", results.counter("connect_failed"));
            if (ceiling) {
                context.progress("SQLite ceiling with " + senders + " producers");
                SqliteCeiling.Result c = SqliteCeiling.run(context.workDir().resolve("ceiling-" + senders + ".db"),
                        senders, warmup, duration, sync);
                row.figure("ceiling_rows_per_s", c.rowsPerSecond())
                        .figure("persist_vs_ceiling_pct", c.rowsPerSecond() > 0 ? 100.0 * ackedPerSecond / c.rowsPerSecond() : null)
                        .figure("ceiling_commit_p50_ms", Histograms.millis(c.latency(), 50))
                        .figure("ceiling_commit_p99_ms", Histograms.millis(c.latency(), 99))
                        // Little's law: N closed-loop senders at the store's own top rate wait N / rate on average,
                        // the lowest mean ack latency any server in front of this store can reach with N senders
                        .figure("store_mean_latency_floor_ms", c.rowsPerSecond() > 0 ? 1000.0 * senders / c.rowsPerSecond() : null);
                row.note("ceiling_commit_*: the SQLite ceiling's own latency (queued → committed) with as many producers as senders; "
                        + "store_mean_latency_floor_ms = senders ÷ ceiling rate, the lowest mean ack latency this store allows at that load");
            }
            row.note("senders are paired into group rooms of two members, both online, so no offline-queue rows are written");
            row.note("acked = message.sent received for sends started in the window; latency = send → message.sent in the sender's process");
            results.samples().stream().limit(3).forEach(s -> row.note("sample: " + s));
            context.report().add(row.build());
        }
    }

    private WorkerResults measure(BenchContext context, int senders, Duration warmup, Duration duration, String sync) {
        try (ServerProcess server = context.startServer(Map.of("SQLITE_SYNCHRONOUS", sync))) {
            Api admin = context.adminApi(server);
            List<String> users = Setup.users("persist-u", senders);
            List<List<String>> pairs = Setup.pairs(users);
            context.progress("creating " + pairs.size() + " rooms for " + senders + " senders");
            List<String> rooms = Setup.groups(admin, "persist-", pairs);
            ArrayNode all = Json.array();
            for (int r = 0; r < pairs.size(); r++) {
                for (String user : pairs.get(r)) {
                    all.addObject().put("user", user).put("room", rooms.get(r));
                }
            }
            int workers = context.workersFor(senders);
            List<List<JsonNode>> slices = Setup.split(toList(all), workers);
            Duration maxRuntime = warmup.plus(duration).plus(connectBudget(senders)).plusSeconds(60);
            try (WorkerGroup group = WorkerGroup.start("persist", workers, context.workerJavaOptions(), i -> {
                ObjectNode job = context.job("persist", server, i, maxRuntime);
                job.put("warmup_ms", warmup.toMillis());
                job.put("duration_ms", duration.toMillis());
                ArrayNode mine = job.putArray("senders");
                slices.get(i).forEach(mine::add);
                return job;
            })) {
                group.awaitAll("ready", connectBudget(senders));
                context.progress("sending for " + warmup.plus(duration).toMillis() + " ms");
                ObjectNode go = Json.object().put("cmd", "go").put("start_at_ms", System.currentTimeMillis() + 300);
                group.sendAll(go);
                return WorkerResults.merge(group.awaitAll("result", warmup.plus(duration).plusSeconds(45)));
            }
        }
    }

    static Duration connectBudget(int connections) {
        return Duration.ofSeconds(30 + connections / 100);
    }

    static List<JsonNode> toList(ArrayNode array) {
        List<JsonNode> out = new ArrayList<>(array.size());
        array.forEach(out::add);
        return out;
    }
}
