package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Room members that only listen: every {@code message} whose content is a {@link FanoutContent} counts as a
 * delivery of its step, with latency = receive time - the sender's embedded time ({@code delivery.<step>}).
 * Connections that close before {@code finish} are counted as {@code closed}.
 */
final class MembersRole implements WorkerRole {
    @Override
    public void run(WorkerContext context) {
        JsonNode job = context.job();
        List<String> users = new ArrayList<>();
        job.path("users").forEach(u -> users.add(u.asText()));
        String room = job.path("room").asText();
        AtomicBoolean listening = new AtomicBoolean(true);
        WsClient.Handler handler = new WsClient.Handler() {
            @Override
            public void onFrame(WsClient client, Frame frame) {
                if (!frame.type().equals("message") || !room.equals(frame.roomId())) {
                    return;
                }
                FanoutContent content = FanoutContent.parse("fanout", frame.content());
                if (content == null) {
                    return;
                }
                long latency = Micros.now() - content.sentMicros();
                Histograms.record(context.histogram("delivery." + content.step()), latency);
                context.counter("deliveries." + content.step()).incrementAndGet();
            }

            @Override
            public void onClosed(WsClient client, int code, String reason) {
                if (listening.get()) {
                    context.counter("closed").incrementAndGet();
                    context.counter("closed.code." + code).incrementAndGet();
                }
            }
        };
        List<WsClient> clients = context.connectAll(users, u -> handler, job.path("connect_concurrency").asInt(64));
        context.emitReady();
        while (true) {
            String command = context.nextCommand().path("cmd").asText();
            if (command.equals("report")) {
                context.emitResult("report");
            } else if (command.equals("finish")) {
                break;
            }
        }
        listening.set(false);
        context.emitResult();
        clients.forEach(c -> {
            if (c != null) {
                c.abort();
            }
        });
    }
}
