package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.fail;

import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.LlmClient;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.application.port.out.LlmRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A scripted LLM: each call plays steps (a {@code String} chunk, an {@link LlmOutcome} that ends the call,
 * a {@code RuntimeException} to throw), either preset or fed by the test on cue, and returns
 * {@code CANCELLED} when cancelled unless it is deaf to cancels.
 */
final class LlmBotTestDouble implements LlmClient {
    private static final Object CANCEL = new Object();

    /** One call in progress: the request it got, and its step queue. */
    static final class Call {
        final LlmRequest request;
        private final BlockingQueue<Object> steps = new LinkedBlockingQueue<>();

        Call(LlmRequest request) {
            this.request = request;
        }

        void emit(String... chunks) {
            steps.addAll(List.of(chunks));
        }

        void end(LlmOutcome outcome) {
            steps.add(outcome);
        }
    }

    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private final Queue<List<Object>> presets = new ConcurrentLinkedQueue<>();
    final AtomicInteger callCount = new AtomicInteger();
    volatile boolean deafToCancel;
    volatile Optional<String> endpointProblem = Optional.empty();

    /** The steps the next call without a preset yet plays at once. */
    void preset(Object... steps) {
        presets.add(List.of(steps));
    }

    /** The next call made, waiting up to ten seconds for it. */
    Call nextCall() {
        Call call = pollCall(PublisherBotTestDouble.WAIT);
        return call != null ? call : fail("the LLM was not called");
    }

    /** The next call made within {@code wait}, or null. */
    Call pollCall(Duration wait) {
        try {
            return calls.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    @Override
    public LlmOutcome stream(LlmRequest request, Consumer<String> onText, Cancellation cancellation) {
        callCount.incrementAndGet();
        Call call = new Call(request);
        List<Object> preset = presets.poll();
        if (preset != null) {
            call.steps.addAll(preset);
        }
        calls.add(call);
        if (!deafToCancel) {
            cancellation.onCancel(() -> call.steps.add(CANCEL));
        }
        while (true) {
            Object step;
            try {
                step = call.steps.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return LlmOutcome.CANCELLED;
            }
            if (step == CANCEL) {
                return LlmOutcome.CANCELLED;
            } else if (step instanceof String chunk) {
                onText.accept(chunk);
            } else if (step instanceof LlmOutcome outcome) {
                return outcome;
            } else if (step instanceof RuntimeException failure) {
                throw failure;
            }
        }
    }

    @Override
    public Optional<String> endpointProblem(String baseUrl) {
        return endpointProblem;
    }
}
