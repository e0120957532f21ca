package io.chatapi.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Reconnect storm: K clients in rooms of {@code --room-size}, a REST sender posting into the rooms before,
 * during and after a restart (SIGTERM, the server's graceful shutdown, start again on the same database and
 * port). Reports how long until every client is back and resumed, connect errors, and messages missed compared
 * with each room's history.
 */
final class StormScenario implements Scenario {
    /**
     * Storm workers run with the JIT's first tier only: their C2 compilations took about 0.4 of the 2 cores through
     * the whole run, and while the server was down, starting, and handshaking, that was CPU the restarted server
     * did not get (10,000 clients: 19.2 and 22.2 s with C2, 14.0 and 14.5 s without, interleaved).
     */
    private static final String WORKER_JIT = "-XX:TieredStopAtLevel=1";

    @Override
    public String name() {
        return "storm";
    }

    @Override
    public Set<String> options() {
        return Set.of("clients", "room-size", "rate", "before", "after", "reconnect-max", "resume-timeout");
    }

    @Override
    public void run(BenchContext context) {
        BenchOptions o = context.options();
        int clients = o.integer("clients", 5000, 20);
        int roomSize = o.integer("room-size", 50, 5);
        double rate = o.decimal("rate", 50, 20);
        Duration before = o.duration("before", Duration.ofSeconds(3), Duration.ofMillis(500));
        Duration after = o.duration("after", Duration.ofSeconds(3), Duration.ofMillis(500));
        Duration resumeTimeout = o.duration("resume-timeout", Duration.ofSeconds(60), Duration.ofSeconds(20));
        Map<String, String> settings = new HashMap<>();
        o.value("reconnect-max").or(() -> context.smoke() ? Optional.of("2s") : Optional.empty())
                .ifPresent(v -> settings.put("SHUTDOWN_RECONNECT_MAX", v));
        Duration connect = PersistScenario.connectBudget(clients);
        Duration maxRuntime = connect.plus(before).plus(after).plus(resumeTimeout).plusSeconds(180);

        List<String> users = Setup.users("storm-c", clients);
        List<List<String>> roomMembers = Setup.chunks(users, roomSize);
        String senderUser = "storm-sender";
        ServerProcess server = context.startServer(settings);
        try {
            Api admin = context.adminApi(server);
            List<List<String>> withSender = roomMembers.stream().map(m -> {
                List<String> l = new ArrayList<>(m);
                l.add(senderUser);
                return l;
            }).toList();
            context.progress("creating " + roomMembers.size() + " rooms");
            List<String> rooms = Setup.groups(admin, "storm-", withSender);
            ArrayNode all = Json.array();
            for (int r = 0; r < rooms.size(); r++) {
                for (String user : roomMembers.get(r)) {
                    all.addObject().put("user", user).put("room", rooms.get(r));
                }
            }
            int workers = context.workersFor(clients);
            var slices = Setup.split(PersistScenario.toList(all), workers);
            ServerProcess first = server;
            context.progress("connecting " + clients + " clients over " + workers + " worker(s)");
            try (WorkerGroup group = WorkerGroup.start("storm", workers, context.workerJavaOptions(WORKER_JIT), i -> {
                ObjectNode job = context.job("storm", first, i, maxRuntime);
                job.put("backoff_base_ms", 100);
                job.put("backoff_cap_ms", 2_000);
                ArrayNode mine = job.putArray("clients");
                slices.get(i).forEach(mine::add);
                return job;
            })) {
                long connected = group.awaitAll("ready", connect).stream().mapToLong(r -> r.path("connected").asLong()).sum();
                Api senderApi = admin.as(context.tokens().user(senderUser));
                RestSender sender = new RestSender(senderApi, rooms, rate);
                Thread sending = Thread.ofVirtual().start(sender);
                sleep(before);
                context.progress("restarting the server (SIGTERM)");
                long termAt = System.nanoTime();
                long termMicros = Micros.now();
                int exit = server.stop(Duration.ofSeconds(30));
                long stoppedAt = System.nanoTime();
                // Under the storm the first /health answer waits behind the clients' handshakes: allow for that.
                server = server.restart(context.serverTimeout().plus(resumeTimeout));
                long readyAt = System.nanoTime();
                long readyMicros = Micros.now();
                long waitUntil = System.nanoTime() + resumeTimeout.toNanos();
                while (group.progressSum("resumed") < connected && System.nanoTime() < waitUntil) {
                    sleep(Duration.ofMillis(50));
                }
                long resumed = group.progressSum("resumed");
                long lastResumedMicros = group.progressMax("last_resumed_micros");
                sleep(after);
                sender.stop();
                sending.join(Duration.ofSeconds(30));
                context.progress("verifying every client against the room histories");
                ObjectNode verify = Json.object().put("cmd", "verify").put("wait_ms", context.smoke() ? 3_000 : 15_000);
                ObjectNode histories = verify.putObject("rooms");
                for (String room : rooms) {
                    ArrayNode seqs = histories.putArray(room);
                    admin.allSeqs(room).forEach(seqs::add);
                }
                group.sendAll(verify);
                WorkerResults results = WorkerResults.merge(group.awaitAll("result", Duration.ofSeconds(120)));
                boolean allBack = resumed >= connected;
                Measurement.Builder row = Measurement.of(name())
                        .param("clients", clients)
                        .param("room_size", roomSize)
                        .param("rate_msgs_per_s", rate)
                        .figure("connected", connected)
                        .figure("shutdown_ms", (stoppedAt - termAt) / 1e6)
                        .figure("shutdown_killed", ServerProcess.killed(exit))
                        .figure("restart_ms", (readyAt - stoppedAt) / 1e6)
                        .figure("all_resumed_after_ready_ms", allBack ? Math.max(0, lastResumedMicros - readyMicros) / 1000.0 : null)
                        .figure("all_resumed_after_sigterm_ms", allBack ? (lastResumedMicros - termMicros) / 1000.0 : null)
                        .figure("resumed", resumed)
                        .figure("connect_errors", results.counter("connect_errors"))
                        .figure("resume_failed", results.counter("resume_failed"))
                        .figure("resumes_interrupted", results.counter("resume_interrupted"))
                        .figure("messages_sent", sender.sent())
                        .figure("missed", results.counter("missed"))
                        .figure("clients_missing", results.counter("clients_missing"))
                        .figure("duplicates", results.counter("duplicates"))
                        .figure("replayed_again", results.counter("replayed_again"))
                        .figure("reconnect_p50_ms", Histograms.millis(results.histogram("reconnect"), 50))
                        .figure("reconnect_p99_ms", Histograms.millis(results.histogram("reconnect"), 99))
                        .figure("late_p99_ms", Histograms.millis(results.histogram("late"), 99))
                        .figure("late_max_ms", Histograms.millis(results.histogram("late"), 100))
                        .note("clients wait reconnect_after_ms from server.shutdown, then reconnect with exponential backoff (100 ms base, 2 s cap) and full jitter, then resume")
                        .note("reconnect = close → resume.done; late = end of the client's reconnect_after_ms → resume.done")
                        .note("missed = seqs in GET /rooms/{id}/messages that a client of the room never received (live, replayed or paged)")
                        .note("duplicates = live messages for a seq the client already held; replayed_again = replays of such seqs (a client resumes from its last contiguous seq)");
                if (!allBack) {
                    row.note("only " + resumed + " of " + connected + " clients resumed within " + resumeTimeout.toSeconds() + " s");
                }
                results.samples().stream().limit(5).forEach(s -> row.note("sample: " + s));
                context.report().add(row.build());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted", e);
        } finally {
            server.close();
        }
    }

    /** Posts messages round-robin into the rooms at a fixed rate, retrying each (same idempotency key) until it lands. */
    private static final class RestSender implements Runnable {
        private final Api api;
        private final List<String> rooms;
        private final double rate;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong sent = new AtomicLong();

        RestSender(Api api, List<String> rooms, double rate) {
            this.api = api;
            this.rooms = rooms;
            this.rate = rate;
        }

        @Override
        public void run() {
            long period = (long) (1e9 / rate);
            long start = System.nanoTime();
            for (long i = 0; !stop.get(); i++) {
                LockSupport.parkNanos(start + i * period - System.nanoTime());
                String room = rooms.get((int) (i % rooms.size()));
                String key = "storm-" + i;
                long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < giveUp) {
                    int status;
                    try {
                        status = api.postMessage(room, "storm message " + i, key);
                    } catch (BenchException e) {
                        status = -1;
                    }
                    if (status / 100 == 2) {
                        sent.incrementAndGet();
                        break;
                    }
                    if (stop.get() && status == -1) {
                        return;
                    }
                    LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                }
            }
        }

        void stop() {
            stop.set(true);
        }

        long sent() {
            return sent.get();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
