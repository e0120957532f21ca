package io.chatapi.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The benchmark coordinator: {@code Bench <scenario> [options]}. Starts the server as a child process, drives
 * load-worker processes, prints a table and writes {@code bench/results/<scenario>-<timestamp>.json}.
 */
public final class Bench {
    static final List<Scenario> SCENARIOS = List.of(new PersistScenario(), new CeilingScenario(), new FanoutScenario(),
            new IdleScenario(), new StormScenario(), new RelayScenario(), new StartupScenario(), new AwayScenario());
    private static final Set<String> WITHOUT_WORKERS = Set.of("ceiling", "startup", "away");
    /**
     * Figures that count what went wrong and are zero in a sound run (the storm's {@code connect_errors} are not:
     * its clients meet a stopped server).
     */
    static final Set<String> FAILURE_FIGURES = Set.of("connect_failed", "errors", "send_errors", "missed", "dropped",
            "duplicates", "resume_failed", "clients_missing", "stream_errors", "direct_errors");
    private static final int SHOWN_LOG_LINES = 40;

    private Bench() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line; 0 when every scenario produced its figures, 1 when one failed, 2 on a usage error. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            out.print(usage());
            return 0;
        }
        BenchOptions options;
        List<Scenario> chosen;
        Path jar;
        Path results;
        try {
            options = BenchOptions.parse(args);
            chosen = choose(options);
            Path root = options.value("jar").isPresent() && options.value("out").isPresent() ? null
                    : ProjectRoot.find(Path.of(""));
            jar = options.value("jar").map(Path::of).orElseGet(() -> root.resolve("bootstrap/target/chatapi.jar"));
            results = options.value("out").map(Path::of).orElseGet(() -> root.resolve("bench/results"));
        } catch (BenchException e) {
            err.println("error: " + e.getMessage());
            err.println("(bench/run --help lists the scenarios and their options)");
            return 2;
        }
        Optional<Path> aotCache = aotCache(options, jar);
        List<String> javaOptions = new ArrayList<>();
        jvmOptionsFile(options, jar).ifPresent(file -> javaOptions.add("@" + file));
        javaOptions.addAll(options.words("server-java-options"));
        Report report = execute(options, chosen, workDir -> new JarServerFactory(JavaCommand.java(), jar, workDir,
                Tokens.randomSecret(), aotCache, javaOptions), err);
        out.print(report.table());
        Path file = report.write(results, Instant.now());
        out.println();
        out.println("results written to " + file);
        return report.errors().isEmpty() ? 0 : 1;
    }

    /**
     * The JDK AOT cache servers start with: {@code --aot-cache <file>}, none with {@code --aot-cache off}, else
     * {@code chatapi.aot} beside the jar when it exists (scripts/aot-cache.sh makes it; bench/run calls that).
     */
    static Optional<Path> aotCache(BenchOptions options, Path jar) {
        return fileBesideJar(options, "aot-cache", jar, "chatapi.aot");
    }

    /**
     * The JVM options file servers start with ({@code java @file}, as {@code run.sh} does): {@code --jvm-options
     * <file>}, none with {@code --jvm-options off}, else {@code jvm.options} beside the jar when it exists (the
     * build puts it there). {@code --server-java-options} come after it, so they win.
     */
    static Optional<Path> jvmOptionsFile(BenchOptions options, Path jar) {
        return fileBesideJar(options, "jvm-options", jar, "jvm.options");
    }

    /** The file {@code --<option>} names, none for {@code off}, else {@code name} beside the jar when it exists. */
    private static Optional<Path> fileBesideJar(BenchOptions options, String option, Path jar, String name) {
        Optional<String> value = options.value(option);
        if (value.isPresent()) {
            return value.get().equals("off") ? Optional.empty() : Optional.of(Path.of(value.get()).toAbsolutePath());
        }
        Path beside = jar.toAbsolutePath().resolveSibling(name);
        return Files.isRegularFile(beside) ? Optional.of(beside) : Optional.empty();
    }

    /** The scenarios a command line names ({@code all} is every one), after checking its options. */
    static List<Scenario> choose(BenchOptions options) {
        List<Scenario> chosen;
        if (options.scenario().equals("all")) {
            chosen = SCENARIOS;
        } else {
            chosen = SCENARIOS.stream().filter(s -> s.name().equals(options.scenario())).toList();
            if (chosen.isEmpty()) {
                throw new BenchException("unknown scenario " + options.scenario());
            }
        }
        Set<String> allowed = new TreeSet<>(BenchContext.COMMON_OPTIONS);
        chosen.forEach(s -> allowed.addAll(s.options()));
        options.requireOnly(allowed);
        return chosen;
    }

    /**
     * Runs the scenarios one after the other in a fresh temporary directory, after a {@link ClockCheck} when load
     * workers are involved (not in smoke mode); a failing scenario is recorded in the report and the next one still
     * runs. The directory (databases, server logs) is kept only when one failed or a figure that counts failures
     * ({@link #FAILURE_FIGURES}) is not zero; then the end of each server log is shown too.
     */
    static Report execute(BenchOptions options, List<Scenario> scenarios, Function<Path, ServerFactory> servers,
                          PrintStream log) {
        List<String> arguments = new ArrayList<>();
        arguments.add(options.scenario());
        if (options.smoke()) {
            arguments.add("--smoke");
        }
        if (options.quick()) {
            arguments.add("--quick");
        }
        options.values().forEach((k, v) -> arguments.add("--" + k + "=" + v));
        Report report = new Report(options.scenario(), arguments, Instant.now());
        Path workDir;
        try {
            workDir = Files.createTempDirectory("chatapi-bench-");
        } catch (IOException e) {
            report.addError(options.scenario(), "cannot create a temporary directory: " + e.getMessage());
            return report;
        }
        BenchContext context = new BenchContext(options, servers.apply(workDir), workDir, report, log);
        if (!options.smoke() && scenarios.stream().anyMatch(s -> !WITHOUT_WORKERS.contains(s.name()))) {
            try {
                report.add(ClockCheck.run(200, context.workerJavaOptions()));
            } catch (BenchException e) {
                report.addError("clock", e.getMessage());
            }
        }
        for (Scenario scenario : scenarios) {
            context.progress("scenario " + scenario.name() + (options.smoke() ? " (smoke)" : ""));
            try {
                scenario.run(context);
            } catch (Exception e) {
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                report.addError(scenario.name(), message);
                context.progress(scenario.name() + " failed: " + message);
            }
        }
        List<String> failures = failureFigures(report);
        if (report.errors().isEmpty() && failures.isEmpty()) {
            deleteRecursively(workDir);
        } else {
            if (!failures.isEmpty()) {
                context.progress("failures counted: " + String.join(", ", failures));
                showServerLogs(workDir, log);
            }
            context.progress("kept databases and server logs in " + workDir);
        }
        return report;
    }

    /** "scenario name=value" for each figure that counts failures and is not zero. */
    static List<String> failureFigures(Report report) {
        List<String> out = new ArrayList<>();
        for (Measurement m : report.measurements()) {
            m.figures().forEach((name, value) -> {
                if (FAILURE_FIGURES.contains(name) && value instanceof Number n && n.doubleValue() != 0) {
                    out.add(m.scenario() + " " + name + "=" + value);
                }
            });
        }
        return out;
    }

    /**
     * The end of each server log, where what the server said about a failed handshake or a lost message is: the
     * directory is kept, but a test run's temporary directory may not outlive it.
     */
    private static void showServerLogs(Path workDir, PrintStream log) {
        try (Stream<Path> files = Files.list(workDir)) {
            for (Path file : files.filter(Bench::isServerLog).sorted().toList()) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                log.println("---- last " + Math.min(SHOWN_LOG_LINES, lines.size()) + " lines of " + file);
                lines.subList(Math.max(0, lines.size() - SHOWN_LOG_LINES), lines.size()).forEach(log::println);
            }
        } catch (IOException | UncheckedIOException e) {
            log.println("cannot read the server logs: " + e.getMessage());
        }
        log.flush();
    }

    private static boolean isServerLog(Path file) {
        return file.getFileName().toString().matches("server-\\d+\\.log");
    }

    static String usage() {
        return """
                usage: bench/run <scenario> [--smoke] [--quick] [--option value ...]
                scenarios:
                  persist   N closed-loop WebSocket senders, SQLITE_SYNCHRONOUS=FULL; acked msg/s, ack p50/p99/p999,
                            and the SQLite ceiling of the same shape   --senders 64,256,512 --warmup 20s --duration 10s
                            --sync FULL|NORMAL --ceiling on|off
                  ceiling   the SQLite ceiling alone                     --senders --warmup --duration --sync
                  fanout    rooms of M members, one sender at a fixed rate, then a rate search up to p99 > limit
                            --members 100,1000,5000 --rate 20 --duration 10s --ceiling-members 1000 --step-duration 5s
                            --max-steps 8 --refine-steps 3 --p99-limit-ms 100 --ceiling on|off --ceiling-warmup 10s
                  idle      N idle sockets held with the server's pings; RSS and heap per connection, drops
                            --sockets 10000,15000 --hold 5m (--quick: 65s)
                  storm     K clients, server restart (SIGTERM), reconnect with backoff + jitter, resume; missed messages
                            --clients 5000 --room-size 50 --rate 50 --before 3s --after 3s --reconnect-max <duration>
                  relay     S concurrent bot replies from a local fake LLM; chunk → delta latency, plain latency beside,
                            and streams of the fake read with no server in between (the machine's own cost)
                            --streams 100 --chunks 50 --chunk-interval 20ms --baseline 5s --stream-warmup 20s --duration 10s
                            --probe-rate 20 --stagger 20ms --direct-streams 10
                  startup   java -jar to the first 200 on /health   --runs 10
                  away      one room whose members are all away but S senders: offline-queue rows per message
                            --members 1000,5000 --senders 5 --warmup 5s --duration 15s --webhook off|on
                  all       every scenario above with its defaults
                common options: --smoke (tiny, a few seconds)  --jar bootstrap/target/chatapi.jar  --out bench/results
                  --aot-cache <file>|off (default: chatapi.aot beside the jar when present)
                  --jvm-options <file>|off (default: jvm.options beside the jar when present, passed as @file)
                  --server-java-options "<JVM options>" (added to every server's java command, after those, before -jar)
                  --worker-java-options "<JVM options>" (added to every load worker's java command, last)
                  --per-worker 4000 (sockets per load-worker process)  --source-addresses on|off  --server-timeout 60s
                """;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the system's temporary-file cleaning
                }
            });
        } catch (IOException e) {
            // same
        }
    }
}
