package io.chatapi.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Start-up time: from launching the server to the first 200 on {@code GET /health}, each run on a fresh database;
 * with the AOT cache when there is one, then again with plain {@code java -jar}.
 */
final class StartupScenario implements Scenario {
    @Override
    public String name() {
        return "startup";
    }

    @Override
    public Set<String> options() {
        return Set.of("runs");
    }

    @Override
    public void run(BenchContext context) {
        int runs = context.options().integer("runs", 10, 1);
        ServerFactory servers = context.servers();
        measure(context, servers, runs);
        if (servers.aotCache().isPresent()) {
            measure(context, servers.withoutAotCache(), runs);
        }
    }

    /** The server's command as a user would type it beside the jar: file names without their folders. */
    static String command(ServerFactory servers) {
        StringBuilder command = new StringBuilder("java");
        servers.aotCache().ifPresent(cache -> command.append(" -XX:AOTCache=").append(cache.getFileName()));
        for (String option : servers.javaOptions()) {
            command.append(' ').append(option.startsWith("@") ? "@" + Path.of(option.substring(1)).getFileName() : option);
        }
        return command.append(" -jar").toString();
    }

    private void measure(BenchContext context, ServerFactory servers, int runs) {
        String command = command(servers);
        List<Double> times = new ArrayList<>();
        OptionalLong rss = OptionalLong.empty();
        for (int i = 0; i < runs; i++) {
            try (ServerProcess server = context.startServer(servers, Map.of())) {
                times.add(server.startup().toNanos() / 1e6);
                rss = ProcessStats.rssKb(server.pid());
                context.progress(command + " run " + (i + 1) + ": " + server.startup().toMillis() + " ms");
            }
        }
        List<Double> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        context.report().add(Measurement.of(servers.aotCache().isPresent() ? name() + " (AOT cache)" : name())
                .param("runs", runs)
                .param("command", command)
                .figure("median_ms", median)
                .figure("min_ms", sorted.get(0))
                .figure("max_ms", sorted.get(sorted.size() - 1))
                .figure("rss_at_ready_mb", rss.isPresent() ? rss.getAsLong() / 1024.0 : null)
                .note("each run starts on a new, empty database (schema creation included); the probe polls /health every 5 ms")
                .build());
    }
}
