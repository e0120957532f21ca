package io.chatapi.adapters.llm;

import io.chatapi.application.port.out.LlmOutcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Sends an LLM POST and returns the response with its body still streaming. Checks every target with the
 * {@link EndpointGuard} first; follows at most {@value #MAX_REDIRECTS} redirects by hand, only 307 and 308 (which
 * keep the POST and its body), never from https to plain http (the conversation stays encrypted once it was);
 * sends the key only to the first URL's origin. Registers with the
 * {@link Watchdog} how to abort the exchange: cancel the pending request, then cancel the body. The body of a
 * redirect is never read: it is cancelled, which closes that connection. Thread-safe.
 */
final class RedirectingPoster {
    static final int MAX_REDIRECTS = 3;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final HttpClient http;
    private final EndpointGuard guard;

    RedirectingPoster(HttpClient http, EndpointGuard guard) {
        this.http = http;
        this.guard = guard;
    }

    /** The first response that is not a redirect; {@code bodies} decides how each response's body is read. */
    HttpResponse<ResponseBody> post(URI first, Dialect dialect, byte[] body, String key, Watchdog dog,
                                    HttpResponse.BodyHandler<ResponseBody> bodies) throws CallFailed {
        URI uri = first;
        for (int redirects = 0; ; redirects++) {
            Optional<String> problem = guard.problem(uri);
            if (problem.isPresent()) {
                throw new CallFailed(LlmOutcome.ERROR, "refused " + Urls.forLog(uri) + ": " + problem.get());
            }
            if (dog.aborted().isPresent()) {
                throw new CallFailed(dog.aborted().get(), "aborted before the request");
            }
            String credential = Urls.sameOrigin(first, uri) ? key : "";
            HttpResponse<ResponseBody> response = exchange(request(dialect, uri, credential, body), dog, bodies);
            int status = response.statusCode();
            if (!REDIRECTS.contains(status)) {
                return response;
            }
            response.body().cancel();
            if (status != 307 && status != 308) {
                throw new CallFailed(LlmOutcome.ERROR, Urls.forLog(uri) + " answered " + status
                        + "; only 307 and 308 redirects are followed, as they keep the POST");
            }
            if (redirects == MAX_REDIRECTS) {
                throw new CallFailed(LlmOutcome.ERROR, "more than " + MAX_REDIRECTS + " redirects");
            }
            uri = nextHop(uri, response.headers().firstValue("Location").orElse(null));
        }
    }

    /**
     * Where a redirect from {@code from} leads: its {@code Location} resolved against it; never from https to
     * plain http.
     */
    static URI nextHop(URI from, String location) throws CallFailed {
        URI next;
        try {
            next = from.resolve(Optional.ofNullable(location).orElseThrow().strip());
        } catch (IllegalArgumentException | NoSuchElementException e) {
            throw new CallFailed(LlmOutcome.ERROR, Urls.forLog(from) + " sent a redirect without a valid Location");
        }
        if ("https".equalsIgnoreCase(from.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
            throw new CallFailed(LlmOutcome.ERROR, Urls.forLog(from) + " redirected from https to plain http");
        }
        return next;
    }

    private static HttpRequest request(Dialect dialect, URI uri, String key, byte[] body) throws CallFailed {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream");
        try {
            dialect.headers(builder, key);
        } catch (IllegalArgumentException e) {
            throw new CallFailed(LlmOutcome.ERROR, "the API key is not a valid header value");
        }
        return builder.build();
    }

    private HttpResponse<ResponseBody> exchange(HttpRequest request, Watchdog dog,
                                                HttpResponse.BodyHandler<ResponseBody> bodies) throws CallFailed {
        CompletableFuture<HttpResponse<ResponseBody>> future = http.sendAsync(request, bodies);
        dog.onAbort(() -> future.cancel(true));
        HttpResponse<ResponseBody> response;
        try {
            response = future.get();
        } catch (CancellationException e) {
            throw new CallFailed(LlmOutcome.ERROR, "request aborted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HttpConnectTimeoutException) {
                throw new CallFailed(LlmOutcome.TIMEOUT, "connect timed out");
            }
            throw new CallFailed(LlmOutcome.ERROR, "request failed: " + CallFailed.describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new CallFailed(LlmOutcome.CANCELLED, "interrupted");
        }
        ResponseBody responseBody = response.body();
        dog.touch();
        dog.onAbort(() -> {
            future.cancel(true);
            responseBody.cancel();
        });
        return response;
    }
}
