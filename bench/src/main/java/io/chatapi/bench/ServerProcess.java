package io.chatapi.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A server child process: started, probed on {@code /health} until it answers 200, stopped with SIGTERM
 * (the server's graceful shutdown) and SIGKILL only when that does not end it in time.
 */
final class ServerProcess implements AutoCloseable {
    private static final List<String> INHERITED_ENV = List.of("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER");
    private static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ServerProcess::killLeftovers, "stop-servers"));
    }

    private final ServerSpec spec;
    private final Process process;
    private final Duration startup;

    private ServerProcess(ServerSpec spec, Process process, Duration startup) {
        this.spec = spec;
        this.process = process;
        this.startup = startup;
    }

    /**
     * Starts the server and returns once {@code /health} answered 200; the time from launching the process to
     * that answer is {@link #startup()}. Fails, after killing the process, when it exits first or is not healthy
     * within {@code timeout}; the error includes the end of the server's log.
     */
    static ServerProcess start(ServerSpec spec, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(spec.command())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.log().toFile()));
        Map<String, String> env = builder.environment();
        Map<String, String> parent = Map.copyOf(env);
        env.clear();
        for (String name : INHERITED_ENV) {
            if (parent.containsKey(name)) {
                env.put(name, parent.get(name));
            }
        }
        env.putAll(spec.env());
        long begin = System.nanoTime();
        Process process;
        try {
            process = builder.start();
            LIVE.add(process);
        } catch (IOException e) {
            throw new BenchException("cannot start the server (" + spec.command().get(0) + "): " + e.getMessage(), e);
        }
        long deadline = begin + timeout.toNanos();
        while (true) {
            int status = HealthProbe.status(spec.host(), spec.port(), 250);
            long now = System.nanoTime();
            if (status == 200) {
                return new ServerProcess(spec, process, Duration.ofNanos(now - begin));
            }
            if (!process.isAlive()) {
                LIVE.remove(process);
                throw new BenchException("the server exited with code " + process.exitValue()
                        + " before GET /health answered 200; end of its log (" + spec.log() + "):\n" + tail(spec.log(), 20));
            }
            if (now - deadline > 0) {
                kill(process);
                throw new BenchException("the server did not answer GET /health with 200 within " + timeout.toMillis()
                        + " ms (last status " + status + "); end of its log (" + spec.log() + "):\n" + tail(spec.log(), 20));
            }
            LockSupport.parkNanos(PROBE_INTERVAL_NANOS);
        }
    }

    ServerSpec spec() {
        return spec;
    }

    long pid() {
        return process.pid();
    }

    Duration startup() {
        return startup;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Sends SIGTERM and waits up to {@code grace}, then SIGKILL; returns the exit code. */
    int stop(Duration grace) {
        if (!process.isAlive()) {
            LIVE.remove(process);
            return process.exitValue();
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
            }
            int exit = process.waitFor();
            LIVE.remove(process);
            return exit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process);
            throw new BenchException("interrupted while stopping the server", e);
        }
    }

    /** Whether the last stop needed SIGKILL: 137 is 128 + 9. */
    static boolean killed(int exitCode) {
        return exitCode == 137;
    }

    /** Starts the same command on the same port and database again. */
    ServerProcess restart(Duration timeout) {
        if (process.isAlive()) {
            throw new BenchException("the server is still running");
        }
        return start(spec, timeout);
    }

    String logTail(int lines) {
        return tail(spec.log(), lines);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(15));
    }

    private static void kill(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            LIVE.remove(process);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** On exit of the benchmark (including Ctrl-C), no server it started keeps running. */
    private static void killLeftovers() {
        for (Process process : LIVE) {
            process.destroy();
        }
        for (Process process : LIVE) {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no output)";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (all.isEmpty()) {
                return "(no output)";
            }
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
