package io.chatapi.adapters.ws.rest;

import static io.chatapi.adapters.ws.rest.HttpAnswers.guarded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.in.HealthQuery;
import io.chatapi.domain.ErrorCode;
import io.helidon.common.media.type.MediaType;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code /health} (a real write probe) and {@code /metrics} as JSON or Prometheus text; no token needed. */
public final class OpsRoutes implements HttpService {
    private static final Logger LOG = Logger.getLogger(OpsRoutes.class.getName());

    private final ServerMetrics metrics;
    private final HealthQuery health;
    /** {@link System#nanoTime()} at the start: uptime does not move with the wall clock. */
    private final long startedNanos;

    public OpsRoutes(ServerMetrics metrics, HealthQuery health, long startedNanos) {
        this.metrics = metrics;
        this.health = health;
        this.startedNanos = startedNanos;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", guarded(this::health))
                .head("/health", guarded(this::healthHead))
                .get("/metrics", guarded(this::metrics))
                .get("/metrics/prometheus", guarded((req, res) -> prometheus(res)));
    }

    private void health(ServerRequest req, ServerResponse res) {
        ObjectNode body = healthBody();
        HttpAnswers.json(req, res, healthStatus(body), body);
    }

    /** The same probe and headers as {@code GET /health}, for load balancers that check with {@code HEAD}. */
    private void healthHead(ServerRequest req, ServerResponse res) {
        ObjectNode body = healthBody();
        HttpAnswers.jsonHead(res, healthStatus(body), body);
    }

    private static int healthStatus(ObjectNode body) {
        return body.get("db_writable").booleanValue() ? 200 : 503;
    }

    private ObjectNode healthBody() {
        boolean writable;
        try {
            writable = health.databaseWritable();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "health probe failed", e);
            writable = false;
        }
        ObjectNode body = WireJson.object().put("status", writable ? "ok" : "unavailable")
                .put("db_writable", writable).put("uptime", goDuration(uptime()));
        if (!writable) {
            // a 503 is an error status: it carries the error body's fields too (PROTOCOL §3)
            body.put("error", ErrorCode.UNAVAILABLE.wire()).put("message", "the database cannot take a write");
        }
        return body;
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        List<HttpMediaType> accepted;
        try {
            accepted = req.headers().acceptedTypes();
        } catch (RuntimeException e) {
            accepted = List.of(); // an Accept header Helidon cannot read at all: JSON, as for none
        }
        if (prefersText(accepted)) {
            prometheus(res);
            return;
        }
        ObjectNode body = WireJson.object();
        counters().forEach(body::put);
        HttpAnswers.json(req, res, 200, body);
    }

    /**
     * Whether {@code Accept} (as Helidon parses it: case-insensitive, with q-values) prefers {@code text/plain} to
     * JSON; a tie, a wildcard alone or no {@code Accept} at all means JSON.
     */
    static boolean prefersText(List<HttpMediaType> accepted) {
        return quality(accepted, MediaTypes.TEXT_PLAIN) > quality(accepted, MediaTypes.APPLICATION_JSON);
    }

    /**
     * The q-value of the most specific range that matches {@code type} (RFC 9110 §12.5.1); 0 when none does. A
     * range whose q-value is not a number is left out, as one that cannot be read.
     */
    private static double quality(List<HttpMediaType> accepted, MediaType type) {
        return accepted.stream().filter(range -> readable(range) && range.test(type))
                .max(Comparator.comparingInt(OpsRoutes::specificity))
                .map(HttpMediaType::qualityFactor).orElse(0.0);
    }

    private static boolean readable(HttpMediaType range) {
        try {
            range.qualityFactor();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int specificity(HttpMediaType range) {
        return range.isWildcardType() ? 0 : range.isWildcardSubtype() ? 1 : 2;
    }

    private void prometheus(ServerResponse res) {
        StringBuilder out = new StringBuilder();
        counters().forEach((name, value) -> {
            boolean gauge = name.equals("active_connections") || name.equals("uptime_seconds");
            String metric = "chatapi_" + name + (gauge ? "" : "_total");
            out.append("# HELP ").append(metric).append(' ').append(name.replace('_', ' ')).append('\n')
                    .append("# TYPE ").append(metric).append(gauge ? " gauge" : " counter").append('\n')
                    .append(metric).append(' ').append(value).append('\n');
        });
        res.status(200);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("active_connections", metrics.activeConnections.get());
        c.put("messages_sent", metrics.messagesSent.get());
        c.put("broadcast_drops", metrics.broadcastDrops.get());
        c.put("delivery_attempts", metrics.deliveryAttempts.get());
        c.put("delivery_failures", metrics.deliveryFailures.get());
        c.put("uptime_seconds", uptime().toSeconds());
        c.put("webhook_deliveries", metrics.webhookDeliveries.get());
        c.put("webhook_failures", metrics.webhookFailures.get());
        c.put("dead_letters", metrics.deadLetters.get());
        c.put("bot_replies", metrics.botReplies.get());
        c.put("bot_webhook_failures", metrics.botWebhookFailures.get());
        c.put("bot_llm_failures", metrics.botLlmFailures.get());
        c.put("rate_limited", metrics.rateLimited.get());
        c.put("slow_consumer_closes", metrics.slowConsumerCloses.get());
        return c;
    }

    private Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** A duration the way the Go server prints one, to whole seconds: {@code 1h2m3s}, {@code 4m0s}, {@code 5s}. */
    static String goDuration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long h = s / 3600;
        long m = s % 3600 / 60;
        long sec = s % 60;
        if (h > 0) {
            return h + "h" + m + "m" + sec + "s";
        }
        return m > 0 ? m + "m" + sec + "s" : sec + "s";
    }
}
