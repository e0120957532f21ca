package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Idle sockets: connects every user, sends nothing (the JDK client answers the server's pings), and counts
 * the connections the server closes before {@code finish} as {@code dropped}, by close code.
 */
final class IdleRole implements WorkerRole {
    @Override
    public void run(WorkerContext context) {
        JsonNode job = context.job();
        List<String> users = new ArrayList<>();
        job.path("users").forEach(u -> users.add(u.asText()));
        AtomicBoolean holding = new AtomicBoolean(true);
        WsClient.Handler handler = new WsClient.Handler() {
            @Override
            public void onFrame(WsClient client, Frame frame) {
                context.counter("frames").incrementAndGet();
            }

            @Override
            public void onClosed(WsClient client, int code, String reason) {
                if (holding.get()) {
                    context.counter("dropped").incrementAndGet();
                    context.counter("dropped.code." + code).incrementAndGet();
                    context.sample(client.user() + " closed " + code + " " + reason);
                }
            }
        };
        List<WsClient> clients = context.connectAll(users, u -> handler, job.path("connect_concurrency").asInt(64));
        context.emitReady();
        context.awaitCommand("finish");
        holding.set(false);
        long open = clients.stream().filter(c -> c != null && c.isOpen()).count();
        context.counter("open_at_finish").addAndGet(open);
        context.emitResult();
    }
}
