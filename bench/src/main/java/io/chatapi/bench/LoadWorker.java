package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A load-generator process. Reads its job (one JSON line) and then commands from standard input, runs the
 * role the job names with real WebSocket clients on virtual threads, and writes its events, including
 * latency histograms, as JSON lines on standard output. It stops by itself at the job's deadline and
 * when its standard input closes.
 */
public final class LoadWorker {
    private static final long GRACE_MILLIS = 5_000;

    private LoadWorker() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String first = in.readLine();
        if (first == null) {
            System.err.println("load worker: no job on standard input");
            System.exit(2);
        }
        JsonNode job = Json.parse(first);
        BlockingQueue<JsonNode> commands = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("commands").start(() -> readCommands(in, commands));
        WorkerContext context = new WorkerContext(job, out, commands);
        startWatchdog(context);
        int exit = 0;
        try {
            role(job.path("role").asText()).run(context);
        } catch (Exception | Error e) {
            context.emit("error", Json.object().put("message", String.valueOf(e.getMessage() == null ? e : e.getMessage())));
            exit = 1;
        } finally {
            out.flush();
        }
        Runtime.getRuntime().halt(exit);
    }

    static WorkerRole role(String name) {
        return switch (name) {
            case "clock" -> new ClockRole();
            case "persist" -> new PersistRole();
            case "members" -> new MembersRole();
            case "idle" -> new IdleRole();
            case "storm" -> new StormRole();
            case "relay" -> new RelayRole();
            default -> throw new BenchException("unknown worker role: " + name);
        };
    }

    private static void readCommands(BufferedReader in, BlockingQueue<JsonNode> commands) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    commands.add(Json.parse(line));
                }
            }
        } catch (IOException | BenchException e) {
            // treated as the coordinator going away
        }
        commands.add(Json.object().put("cmd", "eof"));
        try {
            Thread.sleep(GRACE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(3);
    }

    private static void startWatchdog(WorkerContext context) {
        Thread.ofPlatform().daemon().name("deadline").start(() -> {
            WorkerContext.sleepUntil(context.deadlineMillis() + GRACE_MILLIS);
            context.emit("error", Json.object().put("message", "deadline passed; stopping"));
            Runtime.getRuntime().halt(4);
        });
    }
}
