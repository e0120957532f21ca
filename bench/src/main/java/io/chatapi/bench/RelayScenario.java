package io.chatapi.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * Streaming relay cost: S rooms, each with one human and the same bot, whose LLM is a local fake that streams a
 * chunk every {@code --chunk-interval}; every human keeps one reply streaming. Measures chunk left the fake →
 * delta arrived at the client, and plain message latency between two other clients with and without the streams.
 */
final class RelayScenario implements Scenario {
    static final String KEY_ENV = "BENCH_API_KEY";

    @Override
    public String name() {
        return "relay";
    }

    @Override
    public Set<String> options() {
        return Set.of("streams", "chunks", "chunk-interval", "stagger", "baseline", "stream-warmup", "duration",
                "probe-rate", "direct-streams");
    }

    @Override
    public void run(BenchContext context) {
        BenchOptions o = context.options();
        int streams = o.integer("streams", 100, 3);
        int chunks = o.integer("chunks", 50, 10);
        Duration interval = o.duration("chunk-interval", Duration.ofMillis(20), Duration.ofMillis(20));
        // The streams' first messages spread over one chunk interval: independent streams write their chunks at
        // unrelated instants; 0 starts them together, so every chunk of every stream is written in the same burst.
        Duration stagger = o.duration("stagger", interval, interval);
        Duration baseline = o.duration("baseline", Duration.ofSeconds(5), Duration.ofMillis(500));
        Duration duration = o.duration("duration", Duration.ofSeconds(10), Duration.ofSeconds(1));
        double probeRate = o.decimal("probe-rate", 20, 20);
        // Streams of the same fake that come straight to the load generator: the machine's own cost for a chunk.
        int directStreams = o.integer("direct-streams", 10, 1);
        Duration warmup = context.smoke() ? Duration.ofMillis(200) : Duration.ofSeconds(1);
        // Long enough for the JIT to compile the relay path: the first seconds after start measure warm-up, not relay.
        Duration streamWarmup = o.duration("stream-warmup", Duration.ofSeconds(20), Duration.ofMillis(200));
        // After the streams: their last replies end (chunks x interval), then the baseline again, on a warm server.
        Duration settle = interval.multipliedBy(chunks).plusSeconds(1);
        String key = Tokens.randomSecret();
        try (FakeLlmServer llm = new FakeLlmServer(chunks, interval, key);
             ServerProcess server = context.startServer(Map.of("LLM_ALLOW_PRIVATE_NETWORKS", "true", KEY_ENV, key))) {
            Api admin = context.adminApi(server);
            String bot = admin.createBot("bench-bot", llm.baseUrl().toString(), KEY_ENV, "bench");
            List<String> humans = Setup.users("relay-h", streams);
            List<List<String>> memberLists = new ArrayList<>();
            humans.forEach(h -> memberLists.add(List.of(h, bot)));
            context.progress("creating " + streams + " bot rooms");
            List<String> rooms = Setup.groups(admin, "relay-", memberLists);
            for (String room : rooms) {
                admin.addMember(room, bot);
            }
            String probeRoom = Setup.groups(admin, "relay-probe", List.of(List.of("relay-probe-a", "relay-probe-b"))).get(0);
            Duration total = warmup.plus(baseline).plus(streamWarmup).plus(duration).plus(settle).plus(baseline);
            Duration maxRuntime = total.plus(PersistScenario.connectBudget(streams)).plusSeconds(120);
            try (WorkerGroup group = WorkerGroup.start("relay", 1, context.workerJavaOptions(), i -> {
                ObjectNode job = context.job("relay", server, i, maxRuntime);
                ArrayNode list = job.putArray("humans");
                for (int r = 0; r < rooms.size(); r++) {
                    list.addObject().put("user", humans.get(r)).put("room", rooms.get(r));
                }
                job.putObject("probe").put("sender", "relay-probe-a").put("receiver", "relay-probe-b").put("room", probeRoom);
                job.put("warmup_ms", warmup.toMillis());
                job.put("baseline_ms", baseline.toMillis());
                job.put("stream_warmup_ms", streamWarmup.toMillis());
                job.put("streams_ms", duration.toMillis());
                job.put("settle_ms", settle.toMillis());
                job.put("probe_rate", probeRate);
                job.put("stagger_us", stagger.toNanos() / 1_000);
                job.putObject("direct").put("streams", directStreams).put("url", llm.directUrl().toString())
                        .put("key", key);
                return job;
            })) {
                group.awaitAll("ready", PersistScenario.connectBudget(streams));
                context.progress("baseline " + baseline.toMillis() + " ms, then " + streams + " concurrent streams");
                group.sendAll(Json.object().put("cmd", "go").put("start_at_ms", System.currentTimeMillis() + 300));
                WorkerResults results = WorkerResults.merge(group.awaitAll("result", total.plusSeconds(60)));
                Histogram relay = results.histogram("relay");
                Histogram direct = results.histogram("direct");
                Histogram plainBase = results.histogram("plain.b");
                Histogram plainStreams = results.histogram("plain.s");
                Histogram plainAfter = results.histogram("plain.a");
                Double baseP99 = Histograms.millis(plainBase, 99);
                Double streamsP99 = Histograms.millis(plainStreams, 99);
                Measurement.Builder row = Measurement.of(name())
                        .param("streams", streams)
                        .param("chunk_interval_ms", interval.toMillis())
                        .param("stagger_ms", stagger.toNanos() / 1e6)
                        .param("stream_warmup_s", streamWarmup.toMillis() / 1000.0)
                        .param("duration_s", duration.toMillis() / 1000.0)
                        .figure("relay_p50_ms", Histograms.millis(relay, 50))
                        .figure("relay_p99_ms", Histograms.millis(relay, 99))
                        .figure("relay_p999_ms", Histograms.millis(relay, 99.9))
                        .figure("deltas_per_s", relay.getTotalCount() / (duration.toMillis() / 1000.0))
                        .figure("direct_p50_ms", Histograms.millis(direct, 50))
                        .figure("direct_p99_ms", Histograms.millis(direct, 99))
                        .figure("direct_p999_ms", Histograms.millis(direct, 99.9))
                        .figure("chunks_in_1ms_p50", Histograms.value(results.histogram("burst"), 50))
                        .figure("chunks_in_1ms_p99", Histograms.value(results.histogram("burst"), 99))
                        .figure("replies_completed", results.counter("streams_ended"))
                        .figure("stream_errors", results.counter("stream_errors"))
                        .figure("no_reply", results.counter("no_reply"))
                        .figure("plain_baseline_p50_ms", Histograms.millis(plainBase, 50))
                        .figure("plain_baseline_p99_ms", baseP99)
                        .figure("plain_streams_p50_ms", Histograms.millis(plainStreams, 50))
                        .figure("plain_streams_p99_ms", streamsP99)
                        .figure("plain_p99_added_ms", baseP99 == null || streamsP99 == null ? null : streamsP99 - baseP99)
                        .figure("plain_after_p50_ms", Histograms.millis(plainAfter, 50))
                        .figure("plain_after_p99_ms", Histograms.millis(plainAfter, 99))
                        .figure("llm_requests", llm.requests())
                        .figure("llm_rejected", llm.rejected())
                        .figure("direct_streams", directStreams)
                        .figure("direct_completions", results.counter("direct_completions"))
                        .figure("direct_errors", results.counter("direct_errors"))
                        .note("relay latency = delta arrival at the client - the time the fake LLM wrote the chunk (embedded in the chunk text)")
                        .note("direct: " + directStreams + " more streams of the same fake LLM read by the load generator itself, no server in between, in the same measured window: chunk written -> read there (the machine's cost for a chunk crossing from one process to another under this load)")
                        .note("streams start spread evenly over --stagger (default one chunk interval; 0 = all at once); chunks_in_1ms: chunks of all streams the fake wrote in the millisecond up to each measured one")
                        .note("plain latency: two other clients in their own room at the probe rate; baseline before the streams start")
                        .note("plain_after: the same probe once the streams have ended, the server warm (the baseline runs on a cold one)");
                results.samples().stream().limit(3).forEach(s -> row.note("sample: " + s));
                context.report().add(row.build());
            }
        }
    }
}
