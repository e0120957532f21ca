package io.chatapi.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What every scenario runs with: the options, where servers come from, the report to add to, and the shared
 * settings of load workers (connections per worker, loopback source addresses).
 */
final class BenchContext {
    /** Options every scenario accepts. */
    static final Set<String> COMMON_OPTIONS = Set.of("jar", "out", "per-worker", "source-addresses", "server-timeout",
            "aot-cache", "jvm-options", "server-java-options", "worker-java-options");

    private final BenchOptions options;
    private final ServerFactory servers;
    private final Path workDir;
    private final Report report;
    private final PrintStream log;
    private final long startNanos = System.nanoTime();
    private HttpClient http;

    BenchContext(BenchOptions options, ServerFactory servers, Path workDir, Report report, PrintStream log) {
        this.options = options;
        this.servers = servers;
        this.workDir = workDir;
        this.report = report;
        this.log = log;
    }

    BenchOptions options() {
        return options;
    }

    boolean smoke() {
        return options.smoke();
    }

    ServerFactory servers() {
        return servers;
    }

    Path workDir() {
        return workDir;
    }

    Report report() {
        return report;
    }

    /** A progress line on the log stream (stderr), never on the table. */
    void progress(String message) {
        log.printf(Locale.ROOT, "[bench %6.1fs] %s%n", (System.nanoTime() - startNanos) / 1e9, message);
        log.flush();
    }

    /** JVM options for load workers: {@code scenarioOwn}, then {@code --worker-java-options} (the last one wins). */
    List<String> workerJavaOptions(String... scenarioOwn) {
        List<String> all = new ArrayList<>(List.of(scenarioOwn));
        all.addAll(options.words("worker-java-options"));
        return List.copyOf(all);
    }

    Duration serverTimeout() {
        return options.duration("server-timeout", Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    /** Most WebSocket connections one worker process opens (a process may hold about 20,000 files). */
    int perWorker() {
        return options.integer("per-worker", 4000, 4000);
    }

    int workersFor(int connections) {
        return Math.max(1, (connections + perWorker() - 1) / perWorker());
    }

    ServerProcess startServer(Map<String, String> settings) {
        return startServer(servers, settings);
    }

    ServerProcess startServer(ServerFactory factory, Map<String, String> settings) {
        ServerSpec spec = factory.create(settings);
        progress("starting server on " + spec.http());
        return ServerProcess.start(spec, serverTimeout());
    }

    Tokens tokens() {
        return new Tokens(servers.secret());
    }

    /** The coordinator's one HTTP client (REST calls and its own WebSocket connections). */
    synchronized HttpClient http() {
        if (http == null) {
            http = Api.newClient();
        }
        return http;
    }

    Api adminApi(ServerProcess server) {
        return new Api(http(), server.spec().http(), tokens().admin("bench-admin"));
    }

    /**
     * The common part of a worker's job: role, server address, secret, deadline, and (unless
     * {@code --source-addresses off}) its own loopback source address 127.0.0.(10 + index).
     */
    ObjectNode job(String role, ServerProcess server, int index, Duration maxRuntime) {
        ObjectNode job = Json.object();
        job.put("role", role);
        job.put("http", server.spec().http().toString());
        job.put("secret", servers.secret());
        job.put("connect_concurrency", 64);
        job.put("deadline_epoch_ms", System.currentTimeMillis() + maxRuntime.toMillis());
        if (!options.string("source-addresses", "on", "on").equals("off")) {
            job.put("source", "127.0.0." + (10 + index % 240));
        }
        return job;
    }
}
