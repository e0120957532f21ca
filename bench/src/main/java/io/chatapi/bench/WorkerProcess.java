package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The coordinator's handle on one {@link LoadWorker} process: the job goes in as the first line of its standard
 * input, commands follow as JSON lines; the worker's events come back as JSON lines on its standard output.
 */
final class WorkerProcess implements AutoCloseable {
    static final String PREFIX = "@bench ";
    /**
     * A small heap to start with: the sockets' long-lived state is promoted while they connect, so young collections
     * during the measurement are short (a 512 MB young generation made the first collection copy all of it, and
     * fanout's p99.9 went from 43-62 to 91-114 ms; storm times did not change).
     */
    private static final List<String> JVM_ARGS = List.of("-Xms64m", "-Xmx1g", "-XX:+UseSerialGC");

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final AtomicReference<JsonNode> progress = new AtomicReference<>();

    private WorkerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofVirtual().name("worker-reader-" + name).start(this::readEvents);
    }

    /** Starts a worker with {@code job} (which names its role and its deadline), {@code jvmOptions} after its own. */
    static WorkerProcess start(String name, List<String> jvmOptions, ObjectNode job) {
        List<String> args = new ArrayList<>(JVM_ARGS);
        args.addAll(jvmOptions);
        List<String> command = JavaCommand.forMain(LoadWorker.class, args);
        try {
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            WorkerProcess worker = new WorkerProcess(name, process);
            worker.send(job);
            return worker;
        } catch (IOException e) {
            throw new BenchException("cannot start load worker " + name + ": " + e.getMessage(), e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    /** The latest {@code progress} event, or null. */
    JsonNode progress() {
        return progress.get();
    }

    synchronized void send(JsonNode line) {
        try {
            stdin.write(line.toString());
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw new BenchException("load worker " + name + " stopped reading commands" + exitNote(), e);
        }
    }

    void command(String cmd) {
        ObjectNode line = Json.object();
        line.put("cmd", cmd);
        send(line);
    }

    /** Waits for the next event named {@code event}; an {@code error} event, an exit or the timeout fail. */
    JsonNode await(String event, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode next;
            try {
                next = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted while waiting for load worker " + name, e);
            }
            if (next == null) {
                throw new BenchException("load worker " + name + " sent no '" + event + "' within "
                        + timeout.toSeconds() + " s" + exitNote());
            }
            String type = next.path("event").asText();
            if (type.equals(event)) {
                return next;
            }
            if (type.equals("error")) {
                throw new BenchException("load worker " + name + ": " + next.path("message").asText());
            }
            if (type.equals("eof")) {
                throw new BenchException("load worker " + name + " ended before sending '" + event + "'" + exitNote());
            }
        }
    }

    private String exitNote() {
        return process.isAlive() ? "" : " (exit code " + process.exitValue() + ")";
    }

    private void readEvents() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (!line.startsWith(PREFIX)) {
                    continue;
                }
                JsonNode event = Json.parse(line.substring(PREFIX.length()));
                if (event.path("event").asText().equals("progress")) {
                    progress.set(event);
                } else {
                    events.add(event);
                }
            }
        } catch (IOException | BenchException e) {
            events.add(Json.object().put("event", "error").put("message", "unreadable output: " + e.getMessage()));
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.add(Json.object().put("event", "eof"));
    }

    /** Closes its input (which tells the worker to stop), then waits; kills it after 15 s. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
