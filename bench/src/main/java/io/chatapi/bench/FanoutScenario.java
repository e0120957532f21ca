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
 * Broadcast latency: one group room of M online members (spread over worker processes) and one sender at a
 * fixed rate; each member measures send → receive from the time embedded in the content. Then, on the room of
 * {@code --ceiling-members}, the rate doubles step by step until p99 passes {@code --p99-limit-ms} or messages
 * go missing, then {@code --refine-steps} more steps halve the interval between the last rate that held and the
 * first that did not; the highest deliveries per second below the limit is the delivery ceiling. Before the
 * search, {@code --ceiling-warmup} at twice the rate is sent and not measured.
 */
final class FanoutScenario implements Scenario {
    @Override
    public String name() {
        return "fanout";
    }

    @Override
    public Set<String> options() {
        return Set.of("members", "rate", "warmup", "duration", "ceiling-members", "step-duration", "max-steps",
                "p99-limit-ms", "refine-steps", "ceiling", "ceiling-warmup");
    }

    @Override
    public void run(BenchContext context) {
        BenchOptions o = context.options();
        List<Integer> sizes = o.integers("members", List.of(100, 1000, 5000), List.of(5));
        double rate = o.decimal("rate", 20, 20);
        Duration warmup = o.duration("warmup", Duration.ofSeconds(2), Duration.ofMillis(200));
        Duration duration = o.duration("duration", Duration.ofSeconds(10), Duration.ofSeconds(1));
        int ceilingMembers = o.integer("ceiling-members", 1000, 5);
        boolean ceiling = !o.string("ceiling", "on", "on").equals("off");
        List<Integer> rooms = new ArrayList<>(sizes);
        if (ceiling && !rooms.contains(ceilingMembers)) {
            rooms.add(ceilingMembers);
        }
        for (int members : rooms) {
            boolean fixed = sizes.contains(members);
            boolean search = ceiling && members == ceilingMembers;
            runRoom(context, members, rate, warmup, duration, fixed, search);
        }
    }

    private void runRoom(BenchContext context, int members, double rate, Duration warmup, Duration duration,
                         boolean fixed, boolean search) {
        BenchOptions o = context.options();
        Duration step = o.duration("step-duration", Duration.ofSeconds(5), Duration.ofMillis(500));
        int maxSteps = o.integer("max-steps", 8, 2);
        int refineSteps = o.integer("refine-steps", 3, 0);
        double limitMs = o.decimal("p99-limit-ms", 100, 100);
        Duration drain = context.smoke() ? Duration.ofMillis(300) : Duration.ofSeconds(2);
        Duration ceilingWarmup = o.duration("ceiling-warmup", Duration.ofSeconds(10), Duration.ofMillis(300));
        Duration maxRuntime = PersistScenario.connectBudget(members).plus(warmup).plus(duration).plus(ceilingWarmup)
                .plus(step.plus(drain).multipliedBy(maxSteps + refineSteps)).plusSeconds(120);
        try (ServerProcess server = context.startServer(Map.of())) {
            Api admin = context.adminApi(server);
            List<String> users = Setup.users("fanout-m", members);
            String senderUser = "fanout-sender";
            List<String> all = new ArrayList<>(users);
            all.add(senderUser);
            String room = Setup.groups(admin, "fanout-" + members, List.of(all)).get(0);
            int workers = context.workersFor(members);
            List<List<String>> slices = Setup.split(users, workers);
            context.progress("connecting " + members + " members over " + workers + " worker(s)");
            try (WorkerGroup group = WorkerGroup.start("fanout", workers, context.workerJavaOptions(), i -> {
                ObjectNode job = context.job("members", server, i, maxRuntime);
                job.put("room", room);
                ArrayNode mine = job.putArray("users");
                slices.get(i).forEach(mine::add);
                return job;
            })) {
                long connected = group.awaitAll("ready", PersistScenario.connectBudget(members)).stream()
                        .mapToLong(r -> r.path("connected").asLong()).sum();
                context.progress(connected + " of " + members + " members connected");
                RateSender sender = new RateSender();
                WsClient socket = WsClient.connect(null, server.spec().ws(), senderUser,
                        context.tokens().user(senderUser), sender, Duration.ofSeconds(10));
                sender.attach(socket);
                sender.run(room, "fanout", "w", rate, warmup);
                if (fixed) {
                    context.progress("room of " + members + ": " + rate + " msg/s for " + duration.toMillis() + " ms");
                    RateSender.Outcome outcome = sender.run(room, "fanout", "m", rate, duration);
                    sleep(drain);
                    WorkerResults results = report(group);
                    context.report().add(row(members, rate, duration, "m", outcome, results).build());
                }
                if (search) {
                    // The search's rates are higher than the fixed rate: the server compiles that load's paths
                    // first, so that the steps measure its capacity and not the JIT (results discarded).
                    context.progress("ceiling warm-up: " + rate * 2 + " msg/s for " + ceilingWarmup.toMillis() + " ms");
                    sender.run(room, "fanout", "cw", rate * 2, ceilingWarmup);
                    sleep(drain);
                    search(context, group, sender, room, members, rate, step, maxSteps, refineSteps, limitMs, drain);
                }
                socket.abort();
                group.commandAll("finish");
                group.awaitAll("result", Duration.ofSeconds(30));
            }
        }
    }

    private void search(BenchContext context, WorkerGroup group, RateSender sender, String room, int members,
                        double baseRate, Duration step, int maxSteps, int refineSteps, double limitMs,
                        Duration drain) {
        double best = 0;
        double bestRate = 0;
        double failedRate = 0;
        String stopReason = "max steps reached";
        boolean closed = false;
        int k = 0;
        int refined = 0;
        while (!closed) {
            boolean doubling = failedRate == 0;
            double rate = doubling ? baseRate * Math.pow(2, k) : Math.rint((bestRate + failedRate) / 2);
            if (doubling ? k == maxSteps
                    : refined == refineSteps || bestRate == 0 || rate <= bestRate || rate >= failedRate) {
                break;
            }
            k++;
            refined += doubling ? 0 : 1;
            Step outcome = step(context, group, sender, room, members, rate, step, "c" + k, drain);
            closed = outcome.closed() > 0;
            if (closed || outcome.delivered() == null || outcome.delivered() < 99.0) {
                stopReason = "deliveries missing or connections closed at " + rate + " msg/s";
                failedRate = rate;
            } else if (outcome.p99() == null || outcome.p99() > limitMs) {
                stopReason = "p99 above " + limitMs + " ms at " + rate + " msg/s";
                failedRate = rate;
            } else {
                best = Math.max(best, outcome.perSecond());
                bestRate = Math.max(bestRate, rate);
            }
        }
        context.report().add(Measurement.of("fanout-ceiling")
                .param("members", members)
                .param("p99_limit_ms", limitMs)
                .param("step_s", step.toMillis() / 1000.0)
                .figure("ceiling_deliveries_per_s", best > 0 ? best : null)
                .figure("at_rate_msgs_per_s", bestRate > 0 ? bestRate : null)
                .figure("stopped_because", stopReason)
                .build());
    }

    /** One rate step of the ceiling search, recorded as a {@code fanout-ceiling-steps} row. */
    private Step step(BenchContext context, WorkerGroup group, RateSender sender, String room, int members,
                      double rate, Duration step, String tag, Duration drain) {
        context.progress("ceiling step " + tag.substring(1) + ": " + rate + " msg/s into " + members + " members");
        RateSender.Outcome outcome = sender.run(room, "fanout", tag, rate, step);
        sleep(drain);
        WorkerResults results = report(group);
        Measurement m = row(members, rate, step, tag, outcome, results).build();
        context.report().add(Measurement.of("fanout-ceiling-steps").param("members", members)
                .param("rate_msgs_per_s", rate)
                .figure("delivery_p99_ms", m.figures().get("delivery_p99_ms"))
                .figure("deliveries_per_s", m.figures().get("deliveries_per_s"))
                .figure("delivered_pct", m.figures().get("delivered_pct"))
                .figure("sender_max_lag_ms", outcome.maxLagMs())
                .build());
        return new Step((Double) m.figures().get("delivery_p99_ms"), (Double) m.figures().get("delivered_pct"),
                (Double) m.figures().get("deliveries_per_s"), results.counter("closed"));
    }

    private record Step(Double p99, Double delivered, double perSecond, long closed) {
    }

    private static WorkerResults report(WorkerGroup group) {
        group.commandAll("report");
        return WorkerResults.merge(group.awaitAll("report", Duration.ofSeconds(30)));
    }

    private static Measurement.Builder row(int members, double rate, Duration duration, String tag,
                                           RateSender.Outcome outcome, WorkerResults results) {
        Histogram h = results.histogram("delivery." + tag);
        long deliveries = results.counter("deliveries." + tag);
        long expected = outcome.sent() * members;
        double seconds = duration.toMillis() / 1000.0;
        return Measurement.of("fanout")
                .param("members", members)
                .param("rate_msgs_per_s", rate)
                .param("duration_s", seconds)
                .figure("delivery_p50_ms", Histograms.millis(h, 50))
                .figure("delivery_p99_ms", Histograms.millis(h, 99))
                .figure("delivery_p999_ms", Histograms.millis(h, 99.9))
                .figure("deliveries_per_s", deliveries / seconds)
                .figure("delivered_pct", expected == 0 ? null : 100.0 * deliveries / expected)
                .figure("send_errors", outcome.failed() + outcome.errors())
                .figure("closed", results.counter("closed"))
                .note("latency = receive time in the member's process - send time embedded in the content (one machine, one clock)");
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
