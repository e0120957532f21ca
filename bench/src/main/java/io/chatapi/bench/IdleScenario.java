package io.chatapi.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Memory per idle connection: N sockets (each its own user) held open for a while with nothing but the
 * server's pings; the server's resident set and heap are read before and after, the live heap (after a full
 * collection) while the sockets are held and again once they closed, and every socket the server closed during
 * the hold is a drop (the target is none).
 */
final class IdleScenario implements Scenario {
    @Override
    public String name() {
        return "idle";
    }

    @Override
    public Set<String> options() {
        return Set.of("sockets", "hold");
    }

    @Override
    public void run(BenchContext context) {
        BenchOptions o = context.options();
        List<Integer> sweep = o.integers("sockets", List.of(10_000, 15_000), List.of(20));
        Duration normalHold = o.quick() ? Duration.ofSeconds(65) : Duration.ofMinutes(5);
        Duration hold = o.duration("hold", normalHold, Duration.ofSeconds(2));
        for (int sockets : sweep) {
            runOnce(context, sockets, hold);
        }
    }

    private void runOnce(BenchContext context, int sockets, Duration hold) {
        Duration connect = PersistScenario.connectBudget(sockets).plusSeconds(sockets / 200);
        Duration maxRuntime = connect.plus(hold).plusSeconds(120);
        try (ServerProcess server = context.startServer(Map.of())) {
            long pid = server.pid();
            OptionalLong rssBefore = ProcessStats.rssKb(pid);
            boolean heap = !context.smoke();
            OptionalLong heapBefore = heap ? ProcessStats.heapUsedKb(JavaCommand.javaHome(), pid) : OptionalLong.empty();
            int workers = context.workersFor(sockets);
            List<List<String>> slices = Setup.split(Setup.users("idle-u", sockets), workers);
            context.progress("opening " + sockets + " idle sockets over " + workers + " worker(s)");
            Measurement.Builder row = Measurement.of(name())
                    .param("sockets", sockets)
                    .param("hold_s", hold.toMillis() / 1000.0);
            long connected;
            OptionalLong liveHeld;
            try (WorkerGroup group = WorkerGroup.start("idle", workers, context.workerJavaOptions(), i -> {
                ObjectNode job = context.job("idle", server, i, maxRuntime);
                ArrayNode mine = job.putArray("users");
                slices.get(i).forEach(mine::add);
                return job;
            })) {
                connected = group.awaitAll("ready", connect).stream().mapToLong(r -> r.path("connected").asLong()).sum();
                OptionalLong rssConnected = ProcessStats.rssKb(pid);
                context.progress(connected + " connected; holding for " + hold.toSeconds() + " s");
                long holdEnd = System.nanoTime() + hold.toNanos();
                while (System.nanoTime() < holdEnd && server.alive()) {
                    sleep(Math.min(1_000, Math.max(1, (holdEnd - System.nanoTime()) / 1_000_000)));
                }
                if (!server.alive()) {
                    throw new BenchException("the server died while holding idle sockets; end of its log:\n" + server.logTail(20));
                }
                OptionalLong rssAfter = ProcessStats.rssKb(pid);
                OptionalLong heapAfter = heap ? ProcessStats.heapUsedKb(JavaCommand.javaHome(), pid) : OptionalLong.empty();
                Long activeOnServer = activeConnections(context, server);
                // the live set while the sockets are still open: read after the figures above, which it would disturb
                liveHeld = liveHeapKb(heap, pid);
                WorkerResults results = group.finish(Duration.ofSeconds(60));
                row.figure("connected", connected)
                        .figure("connect_failed", results.counter("connect_failed"))
                        .figure("server_active_connections", activeOnServer)
                        .figure("rss_before_mb", mb(rssBefore))
                        .figure("rss_connected_mb", mb(rssConnected))
                        .figure("rss_after_mb", mb(rssAfter))
                        .figure("rss_per_conn_kb", perConnection(rssBefore, rssAfter, connected))
                        .figure("heap_before_mb", mb(heapBefore))
                        .figure("heap_after_mb", mb(heapAfter))
                        .figure("heap_per_conn_kb", perConnection(heapBefore, heapAfter, connected))
                        .figure("dropped", results.counter("dropped"));
                results.samples().stream().limit(3).forEach(s -> row.note("sample: " + s));
            }
            // the workers have exited, so their sockets are gone; once the server has let go of them too, the live
            // set is what the server holds without sockets
            OptionalLong liveClosed = heap && awaitNoConnections(context, server, Duration.ofSeconds(30))
                    ? liveHeapKb(true, pid) : OptionalLong.empty();
            row.figure("heap_live_held_mb", mb(liveHeld))
                    .figure("heap_live_closed_mb", mb(liveClosed))
                    .figure("live_per_conn_kb", perConnection(liveClosed, liveHeld, connected))
                    .note("RSS is VmRSS of the server process from /proc; heap from jcmd GC.heap_info (not read in smoke runs); per connection = (after - before) / connected")
                    .note("live = heap in use right after a full collection (jcmd GC.run), read while the sockets are held and again after they closed; live_per_conn_kb = (held - closed) / connected");
            context.report().add(row.build());
        }
    }

    private static OptionalLong liveHeapKb(boolean heap, long pid) {
        return heap && ProcessStats.gc(JavaCommand.javaHome(), pid)
                ? ProcessStats.heapUsedKb(JavaCommand.javaHome(), pid) : OptionalLong.empty();
    }

    /** Waits until the server reports no open connection; false when it still had some at the deadline. */
    private static boolean awaitNoConnections(BenchContext context, ServerProcess server, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (server.alive()) {
            Long active = activeConnections(context, server);
            if (active != null && active == 0) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            sleep(200);
        }
        return false;
    }

    private static Long activeConnections(BenchContext context, ServerProcess server) {
        try {
            return context.adminApi(server).metrics().path("active_connections").asLong();
        } catch (BenchException e) {
            return null;
        }
    }

    private static Double mb(OptionalLong kb) {
        return kb.isPresent() ? kb.getAsLong() / 1024.0 : null;
    }

    private static Double perConnection(OptionalLong before, OptionalLong after, long connections) {
        if (before.isEmpty() || after.isEmpty() || connections == 0) {
            return null;
        }
        return (after.getAsLong() - before.getAsLong()) / (double) connections;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
