package io.chatapi.adapters.webhook;

import io.chatapi.application.port.out.BotContextReply;
import io.chatapi.application.port.out.BotContextRequest;
import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.WebhookBody;
import io.chatapi.application.port.out.WebhookEvent;
import io.chatapi.application.port.out.WebhookException;
import io.chatapi.application.port.out.WebhookSender;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Posts webhook bodies with the JDK HTTP client: signed with both schemes when a secret is set, one
 * time-out for the whole exchange (connect, headers and body, across redirects), response bodies over 1 MiB
 * refused. A 307 or 308 is followed with the same POST, body and headers, at most {@value #MAX_REDIRECTS} times;
 * a 301, 302 or 303 fails, for following it would turn the POST into a GET without the body, and so does a
 * redirect from https to plain http.
 * Failure messages never contain the secret or the URL. A {@code bot.context} call is aborted as soon as its
 * reply is cancelled. Thread-safe; {@link #close()} aborts calls in flight.
 */
public final class HttpWebhookSender implements WebhookSender, AutoCloseable {
    static final int MAX_RESPONSE_BYTES = 1024 * 1024;
    /** The most redirects one webhook call follows, whichever its kind. */
    static final int MAX_REDIRECTS = 3;

    private final URI url;
    private final Duration timeout;
    private final WebhookSigner signer;
    private final WebhookJson json = new WebhookJson();
    private HttpClient client;
    private boolean closed;

    public HttpWebhookSender(WebhookSettings settings) {
        Objects.requireNonNull(settings, "settings");
        this.timeout = Objects.requireNonNull(settings.timeout(), "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the webhook time-out must be positive");
        }
        this.url = settings.url();
        String secret = settings.secret();
        this.signer = secret == null || secret.isEmpty() ? null : new WebhookSigner(secret);
    }

    @Override
    public boolean enabled() {
        return url != null;
    }

    @Override
    public String encode(WebhookEvent event) {
        return json.encode(event);
    }

    @Override
    public List<WebhookBody> encodeOffline(Room room, List<String> recipients, Message message) {
        return json.encodeOffline(room, recipients, message);
    }

    @Override
    public void deliver(String webhookId, String body) throws WebhookException {
        // an event's answer is its status alone: a 2xx with a body of any size is delivered
        post(webhookId, body, info -> HttpResponse.BodySubscribers.replacing(new byte[0]), new Cancellation());
    }

    @Override
    public BotContextReply botContext(BotContextRequest request, Cancellation cancellation) throws WebhookException {
        byte[] answer = post(Ids.next("wh_"), json.botContext(request), this::handle, cancellation);
        return json.parseBotContextReply(request.botId(), answer);
    }

    /** Aborts requests in flight and releases the client's threads. */
    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.shutdownNow();
        }
    }

    /**
     * The HTTP client, built on first use: building one sets up TLS, a large part of the server's start-up,
     * and a server without a webhook never needs it.
     */
    private synchronized HttpClient client() throws WebhookException {
        if (closed) {
            throw new WebhookException("the webhook sender is closed");
        }
        if (client == null) {
            client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(timeout)
                    .build();
        }
        return client;
    }

    /**
     * POSTs the body and returns the 2xx answer's body, following 307 and 308 redirects (which keep the method,
     * the body and, here, every header) as Go's HTTP client does, at most {@value #MAX_REDIRECTS} of them; the
     * time-out covers every hop.
     */
    private byte[] post(String webhookId, String body, HttpResponse.BodyHandler<byte[]> answers,
                        Cancellation cancellation) throws WebhookException {
        if (url == null) {
            throw new WebhookException("no webhook URL is configured");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<URI> visited = new HashSet<>();
        URI target = url;
        for (int redirects = 0; ; redirects++) {
            visited.add(target);
            HttpResponse<byte[]> response = exchange(request(target, webhookId, now, bytes), answers, cancellation,
                    deadline);
            int status = response.statusCode();
            if (status >= 200 && status <= 299) {
                return response.body();
            }
            if (status != 307 && status != 308) {
                throw new WebhookException("the webhook answered HTTP " + status);
            }
            if (redirects == MAX_REDIRECTS) {
                throw new WebhookException("the webhook redirected more than " + MAX_REDIRECTS + " times");
            }
            target = redirectTarget(target, response.headers().firstValue("Location").orElse(""));
            if (visited.contains(target)) {
                throw new WebhookException("the webhook redirected in a loop");
            }
        }
    }

    private HttpRequest request(URI target, String webhookId, long now, byte[] bytes) {
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .header("Content-Type", "application/json")
                .header("webhook-id", webhookId)
                .header("webhook-timestamp", Long.toString(now))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (signer != null) {
            signer.headers(webhookId, now, bytes).forEach(request::header);
        }
        return request.build();
    }

    /** One request and its answer, within what is left of the time-out; aborted when {@code cancellation} fires. */
    private HttpResponse<byte[]> exchange(HttpRequest request, HttpResponse.BodyHandler<byte[]> answers,
                                          Cancellation cancellation, long deadline) throws WebhookException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timedOut();
        }
        CompletableFuture<HttpResponse<byte[]>> exchange = client().sendAsync(request, answers);
        Runnable abort = () -> exchange.cancel(true); // since JDK 16 this aborts the exchange and its connection
        cancellation.onCancel(abort);
        try {
            return exchange.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw timedOut();
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new WebhookException("interrupted while calling the webhook");
        } catch (CancellationException e) {
            throw cancelled();
        } catch (ExecutionException e) {
            throw cancellation.isCancelled() ? cancelled() : failed(e.getCause());
        } finally {
            cancellation.forget(abort);
        }
    }

    /**
     * Where a redirect leads: its {@code Location}, resolved against the URL that answered (as Go does), which
     * must make an absolute http or https URL with a host, and an https one when the URL that answered was https:
     * the body (the conversation) and its signatures never go on in clear text. Never names either URL.
     */
    static URI redirectTarget(URI from, String location) throws WebhookException {
        String trimmed = location.strip();
        URI target = null;
        try {
            target = trimmed.isEmpty() ? null : from.resolve(trimmed);
        } catch (IllegalArgumentException e) {
            // reported below
        }
        String scheme = target == null ? null : target.getScheme();
        if (target == null || target.getHost() == null
                || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new WebhookException("the webhook redirected to a location that is not an http or https URL");
        }
        if ("https".equalsIgnoreCase(from.getScheme()) && !"https".equalsIgnoreCase(scheme)) {
            throw new WebhookException("the webhook redirected from https to plain http");
        }
        return target;
    }

    /** Keeps at most {@link #MAX_RESPONSE_BYTES} of a 2xx body; the body of any other answer is discarded. */
    private HttpResponse.BodySubscriber<byte[]> handle(HttpResponse.ResponseInfo info) {
        if (info.statusCode() < 200 || info.statusCode() > 299) {
            return HttpResponse.BodySubscribers.replacing(new byte[0]);
        }
        return BoundedBodySubscriber.handler(MAX_RESPONSE_BYTES).apply(info);
    }

    private WebhookException timedOut() {
        return new WebhookException("the webhook did not answer within " + timeout.toMillis() + " ms");
    }

    private static WebhookException cancelled() {
        return new WebhookException("the webhook call was cancelled");
    }

    private WebhookException failed(Throwable cause) {
        Throwable t = cause;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof HttpTimeoutException) {
                return timedOut();
            }
            if (t instanceof BoundedBodySubscriber.TooLarge) {
                return new WebhookException("the webhook answer is larger than " + MAX_RESPONSE_BYTES + " bytes");
            }
        }
        String kind = cause == null ? "unknown error" : cause.getClass().getSimpleName();
        return new WebhookException("the webhook request failed (" + kind + ")");
    }
}
