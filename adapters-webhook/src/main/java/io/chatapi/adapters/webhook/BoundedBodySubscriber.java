package io.chatapi.adapters.webhook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body of at most {@code limit} bytes; a larger body (declared or actual) cancels the
 * exchange and fails with {@link TooLarge}, so nothing beyond the limit is ever buffered.
 */
final class BoundedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final long declaredLength;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    BoundedBodySubscriber(int limit, long declaredLength) {
        this.limit = limit;
        this.declaredLength = declaredLength;
    }

    /** A body handler that applies the limit to every response. */
    static HttpResponse.BodyHandler<byte[]> handler(int limit) {
        return info -> new BoundedBodySubscriber(limit, info.headers().firstValueAsLong("content-length").orElse(-1));
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (declaredLength > limit) {
            refuse();
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            if (buffer.size() + (long) item.remaining() > limit) {
                refuse();
                return;
            }
            byte[] chunk = new byte[item.remaining()];
            item.get(chunk);
            buffer.write(chunk, 0, chunk.length);
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(buffer.toByteArray());
    }

    private void refuse() {
        subscription.cancel();
        result.completeExceptionally(new TooLarge(limit));
    }

    /** The response body exceeded the limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(int limit) {
            super("the webhook response body is larger than " + limit + " bytes");
        }
    }
}
