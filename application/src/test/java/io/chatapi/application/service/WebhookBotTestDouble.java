package io.chatapi.application.service;

import io.chatapi.application.port.out.BotContextReply;
import io.chatapi.application.port.out.BotContextRequest;
import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.WebhookEvent;
import io.chatapi.application.port.out.WebhookException;
import io.chatapi.application.port.out.WebhookSender;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A scripted application webhook: answers {@code bot.context} with a function and records the questions. */
final class WebhookBotTestDouble implements WebhookSender {
    /** How the application answers one question. */
    @FunctionalInterface
    interface Answer {
        BotContextReply answer(BotContextRequest request) throws WebhookException;
    }

    static final BotContextReply PROMPT = new BotContextReply("You are kind.", false, false, null);

    final BlockingQueue<BotContextRequest> requests = new LinkedBlockingQueue<>();
    volatile boolean enabled = true;
    volatile Answer answer = request -> PROMPT;
    /** The questions the application never answers: such a call ends only when its reply is cancelled. */
    volatile Predicate<BotContextRequest> hangs = request -> false;

    /** An answer that waits for the gate to open first. */
    static Answer gated(CountDownLatch gate, BotContextReply reply) {
        return request -> {
            try {
                if (!gate.await(10, TimeUnit.SECONDS)) {
                    throw new WebhookException("gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WebhookException("interrupted", e);
            }
            return reply;
        };
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public String encode(WebhookEvent event) {
        return event.getClass().getSimpleName();
    }

    @Override
    public void deliver(String webhookId, String body) {
        // Deliveries are only planned by the bot services, never sent directly.
    }

    @Override
    public BotContextReply botContext(BotContextRequest request, Cancellation cancellation)
            throws WebhookException {
        requests.add(request);
        if (hangs.test(request)) {
            CountDownLatch cancelled = new CountDownLatch(1);
            cancellation.onCancel(cancelled::countDown);
            try {
                cancelled.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new WebhookException("the call ended without an answer");
        }
        return answer.answer(request);
    }
}
