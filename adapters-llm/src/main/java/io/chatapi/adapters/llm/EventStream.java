package io.chatapi.adapters.llm;

import io.chatapi.application.port.out.LlmOutcome;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The body of a 2xx streamed completion, consumed where the HTTP client delivers it (its selector thread): bytes
 * go through the {@link SseParser} into the {@link Completion}, which hands text to the caller at once, with no
 * queue or thread hand-off per chunk. {@link #outcome()} completes when the stream ends, breaks or is cancelled.
 * After the dialect's end event the rest of the body is read and dropped (at most {@value #DRAIN_BYTES} bytes
 * for at most {@link #DRAIN_TIME}) so that the connection can be reused; past either limit it is closed.
 * Every chunk counts as activity for the {@link Watchdog}. After {@link #stop()} the caller's text callback is
 * never called again; when it throws, the stream counts as broken. Thread-safe.
 */
final class EventStream implements ResponseBody, HttpResponse.BodySubscriber<ResponseBody> {
    static final long DRAIN_BYTES = 64 * 1024;
    static final Duration DRAIN_TIME = Duration.ofSeconds(2);

    private final Completion completion;
    private final Watchdog dog;
    private final ScheduledExecutorService timer;
    private final SseParser parser;
    private final CompletableFuture<LlmOutcome> outcome = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;
    /** Guarded by {@code lock}: no more events go to the completion. */
    private boolean stopped;
    /** Guarded by {@code lock}: the body was read to its end or failed; the subscription is over. */
    private boolean finished;
    /** Guarded by {@code lock}: the dialect's end event arrived, its outcome. */
    private LlmOutcome ended;
    private long drained;
    private ScheduledFuture<?> drainLimit;

    EventStream(Completion completion, Watchdog dog, ScheduledExecutorService timer) {
        this.completion = completion;
        this.dog = dog;
        this.timer = timer;
        this.parser = new SseParser(this::onEvent);
    }

    /** How the stream ended: the dialect's outcome; exceptionally on a broken stream; cancelled by {@link #cancel}. */
    CompletableFuture<LlmOutcome> outcome() {
        return outcome;
    }

    /**
     * The caller is done: no more text is delivered. A body whose end event arrived is still read to its end (to
     * keep the connection); any other is cancelled.
     */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            if (ended != null) {
                return;
            }
        } finally {
            lock.unlock();
        }
        cancel();
    }

    @Override
    public void cancel() {
        lock.lock();
        try {
            stopped = true;
            if (finished) {
                return;
            }
            cancelled = true;
        } finally {
            lock.unlock();
        }
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
        outcome.cancel(false);
    }

    @Override
    public CompletionStage<ResponseBody> getBody() {
        return CompletableFuture.completedStage(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
            return;
        }
        // Everything is handled as it arrives and nothing is buffered, so there is no reason to hold data back.
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        dog.touch();
        Exception broken = null;
        lock.lock();
        try {
            if (cancelled) {
                return;
            }
            if (!stopped) {
                try {
                    for (ByteBuffer buffer : buffers) {
                        if (!parser.push(buffer)) {
                            break;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    stopped = true;
                    broken = e;
                }
            }
            if (broken == null && drain(buffers)) {
                return;
            }
            cancelled = true;
        } finally {
            lock.unlock();
        }
        subscription.cancel();
        if (broken != null) {
            outcome.completeExceptionally(broken);
        }
    }

    @Override
    public void onError(Throwable error) {
        lock.lock();
        try {
            finished = true;
            stopped = true;
            stopDrainLimit();
        } finally {
            lock.unlock();
        }
        outcome.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        LlmOutcome result;
        Exception broken = null;
        lock.lock();
        try {
            finished = true;
            if (!stopped) {
                try {
                    parser.finish();
                } catch (IOException | RuntimeException e) {
                    broken = e;
                }
                stopped = true;
            }
            if (ended == null && broken == null && !cancelled) {
                broken = completion.cutShort().map(IOException::new).orElse(null);
            }
            result = ended != null ? ended : completion.end();
            stopDrainLimit();
        } finally {
            lock.unlock();
        }
        if (broken != null) {
            outcome.completeExceptionally(broken);
        } else {
            outcome.complete(result);
        }
    }

    /** Called by the parser under {@code lock}; false once the stream has its outcome. */
    private boolean onEvent(SseEvent event) {
        if (stopped) {
            return false;
        }
        LlmOutcome result = completion.accept(event).orElse(null);
        if (result == null) {
            return true;
        }
        ended = result;
        stopped = true;
        outcome.complete(result);
        try {
            drainLimit = timer.schedule(this::cancel, DRAIN_TIME.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the client is closing, which aborts the exchange anyway
        }
        return false;
    }

    private void stopDrainLimit() {
        if (drainLimit != null) {
            drainLimit.cancel(false);
        }
    }

    /** After the end event: counts what is dropped; false when it is more than the body may still hold. */
    private boolean drain(List<ByteBuffer> buffers) {
        if (ended == null) {
            return true;
        }
        for (ByteBuffer buffer : buffers) {
            drained += buffer.remaining();
            buffer.position(buffer.limit());
        }
        return drained <= DRAIN_BYTES;
    }
}
