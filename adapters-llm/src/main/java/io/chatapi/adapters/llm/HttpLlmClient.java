package io.chatapi.adapters.llm;

import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.LlmClient;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.application.port.out.LlmRequest;
import io.chatapi.domain.Bot;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Streams completions over HTTP/1.1 from OpenAI-compatible ({@code POST {base}/chat/completions}) and Anthropic
 * ({@code POST {base}/messages}) endpoints, chosen by the bot's provider.
 *
 * <p>The API key is {@code keyLookup(bot.llmApiKeyEnv())}; when that is absent or blank the request goes out
 * without a key header (a local Ollama needs none; a provider that does answers 401, which is an
 * {@link LlmOutcome#ERROR}). Every call re-checks the endpoint with the same rules as {@link #endpointProblem}.
 * Redirects are followed by hand, at most three: only 307 and 308 (which keep
 * the POST and its body), each target checked again; the key is sent only to the origin of the bot's base URL.
 * A 301, 302 or 303 (which would turn the POST into a GET), a refused target or too many hops end the call as
 * {@link LlmOutcome#ERROR}. Time-outs: connect, idle (no byte for that long) and total, all as
 * {@link LlmOutcome#TIMEOUT}; time-outs and cancellation abort the exchange, closing its connection. Keys are
 * never logged.
 *
 * <p>A 2xx body is parsed as it arrives, on the HTTP client's own thread, and each text chunk is handed to
 * {@code onText} there (so {@code onText} must not block); the calling thread only waits for the end. Once the
 * call has returned, {@code onText} is not called again. Thread-safe; {@link #close()} stops it.
 */
public final class HttpLlmClient implements LlmClient, AutoCloseable {
    static final int ERROR_BODY_BYTES = 4096;
    /**
     * A provider that answers "too many requests" or "overloaded" (429, 503, Anthropic's 529) with a
     * {@code Retry-After} of at most this is asked again after that time, at most {@link #MAX_RETRIES} times: no
     * text has been streamed yet, so asking again is safe, and such refusals pass within seconds.
     */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(10);
    static final int MAX_RETRIES = 2;
    private static final System.Logger LOG = System.getLogger(HttpLlmClient.class.getName());
    /**
     * The HTTP client's executor: its tasks run where they are handed over, so response bytes are parsed and
     * published on the client's selector thread, with no hop to another thread per chunk. Nothing that runs
     * there blocks: parsing, the caller's text callback (which must not block) and waking the waiting caller.
     */
    private static final Executor DIRECT = Runnable::run;
    /**
     * Calls are spread round-robin over this many HTTP clients, each with its own selector thread and connection
     * pool: a burst of chunks from many streams is then handled by several threads, and one preempted thread
     * holds up only its share of the streams (on 2 shared cores, four gave a lower p99 than one or two).
     */
    static final int HTTP_CLIENTS = 4;

    private final LlmSettings settings;
    private final EndpointGuard guard;
    private final ScheduledThreadPoolExecutor timer;
    private final int httpClients;
    private final AtomicInteger next = new AtomicInteger();
    private List<HttpClient> clients;
    private List<RedirectingPoster> posters;
    private boolean closed;

    public HttpLlmClient(LlmSettings settings) {
        this(settings, new EndpointGuard(settings.allowPrivateNetworks()), HTTP_CLIENTS);
    }

    /** @param httpClients how many HTTP clients (selector threads, connection pools) calls are spread over */
    HttpLlmClient(LlmSettings settings, EndpointGuard guard, int httpClients) {
        requirePositive(settings.connectTimeout(), "connectTimeout");
        requirePositive(settings.idleTimeout(), "idleTimeout");
        requirePositive(settings.totalTimeout(), "totalTimeout");
        Objects.requireNonNull(settings.keyLookup(), "keyLookup");
        this.settings = settings;
        this.guard = guard;
        this.timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("llm-watchdog").daemon().factory());
        this.timer.setRemoveOnCancelPolicy(true);
        this.httpClients = httpClients;
    }

    /**
     * The next of the posters (round-robin), with their HTTP clients built on the first call: building a client
     * sets up TLS, a large part of the server's start-up, and a server without bots never needs one.
     */
    private synchronized RedirectingPoster poster() throws CallFailed {
        if (closed) {
            throw new CallFailed(LlmOutcome.ERROR, "the LLM client is closed");
        }
        if (posters == null) {
            clients = new ArrayList<>();
            posters = new ArrayList<>();
            for (int i = 0; i < httpClients; i++) {
                HttpClient http = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .connectTimeout(settings.connectTimeout())
                        .executor(DIRECT)
                        .build();
                clients.add(http);
                posters.add(new RedirectingPoster(http, guard));
            }
        }
        return posters.get(Math.floorMod(next.getAndIncrement(), posters.size()));
    }

    @Override
    public Optional<String> endpointProblem(String baseUrl) {
        return guard.problem(baseUrl);
    }

    @Override
    public LlmOutcome stream(LlmRequest request, Consumer<String> onText, Cancellation cancellation) {
        Bot bot = request.bot();
        Dialect dialect = Dialect.of(bot.provider());
        Watchdog dog;
        try {
            dog = Watchdog.start(timer, settings.idleTimeout(), settings.totalTimeout());
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "bot {0}: LLM client is closed", bot.id());
            return LlmOutcome.ERROR;
        }
        try (dog) {
            cancellation.onCancel(() -> dog.abort(LlmOutcome.CANCELLED, "cancelled"));
            String key = apiKey(bot);
            byte[] body = dialect.body(request);
            Completion completion = dialect.completion(onText);
            HttpResponse<ResponseBody> response = poster().post(target(bot, dialect), dialect, body, key, dog,
                    bodies(completion, dog));
            for (int retries = 0; retries < MAX_RETRIES; retries++) {
                Optional<Duration> wait = retryAfter(response);
                if (wait.isEmpty()) {
                    break;
                }
                response.body().cancel();
                LOG.log(System.Logger.Level.INFO, "bot {0}: {1} answered {2}; asking again in {3} ms", bot.id(),
                        Urls.forLog(response.uri()), response.statusCode(), wait.get().toMillis());
                pause(wait.get(), dog);
                completion = dialect.completion(onText);
                response = poster().post(target(bot, dialect), dialect, body, key, dog, bodies(completion, dog));
            }
            return read(bot, response, completion, key, dog);
        } catch (CallFailed failed) {
            LlmOutcome outcome = dog.aborted().orElse(failed.outcome());
            String detail = dog.aborted().isPresent() ? dog.abortDetail() : failed.getMessage();
            System.Logger.Level level = outcome == LlmOutcome.CANCELLED ? System.Logger.Level.DEBUG
                    : System.Logger.Level.WARNING;
            LOG.log(level, "bot {0}: LLM call ended {1}: {2}", bot.id(), outcome, detail);
            return outcome;
        }
    }

    /**
     * How long to wait before asking again: a 429, 503 or 529 whose {@code Retry-After} is a number of seconds of at
     * most {@link #MAX_RETRY_AFTER}; empty for anything else (an answer without it, or with a date, is final).
     */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        int status = response.statusCode();
        if (status != 429 && status != 503 && status != 529) {
            return Optional.empty();
        }
        String value = response.headers().firstValue("Retry-After").orElse("").strip();
        if (value.isEmpty() || value.length() > 3 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        Duration wait = Duration.ofSeconds(Integer.parseInt(value));
        return wait.compareTo(MAX_RETRY_AFTER) <= 0 ? Optional.of(wait) : Optional.empty();
    }

    /** Waits before asking again; a cancel or a time-out meanwhile ends the call. */
    private static void pause(Duration wait, Watchdog dog) throws CallFailed {
        CountDownLatch woken = new CountDownLatch(1);
        dog.onAbort(woken::countDown);
        try {
            woken.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dog.abort(LlmOutcome.CANCELLED, "interrupted");
        }
        if (dog.aborted().isPresent()) {
            throw new CallFailed(dog.aborted().get(), dog.abortDetail());
        }
        dog.touch(); // the wait was the provider's request, not a stream gone quiet
    }

    /** Stops the HTTP clients and the time-out timer; calls in flight are aborted. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (clients != null) {
                clients.forEach(HttpClient::shutdownNow);
            }
        }
        timer.shutdownNow();
    }

    private static URI target(Bot bot, Dialect dialect) throws CallFailed {
        try {
            return Urls.join(bot.llmBaseUrl(), dialect.path());
        } catch (IllegalArgumentException e) {
            throw new CallFailed(LlmOutcome.ERROR, "base URL is not a valid URL");
        }
    }

    /**
     * How each response's body is read: a 2xx that may carry an event stream as one, feeding {@code completion};
     * others raw, to be reported as the call's error.
     */
    private HttpResponse.BodyHandler<ResponseBody> bodies(Completion completion, Watchdog dog) {
        return info -> {
            if (info.statusCode() >= 200 && info.statusCode() < 300 && mayBeEventStream(info)) {
                return new EventStream(completion, dog, timer);
            }
            return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofInputStream(),
                    ResponseBody.Raw::new);
        };
    }

    /**
     * An event stream, or a type that may carry one: some servers label their stream {@code text/plain} or give it
     * no type. A JSON or HTML answer (an error page, or a completion that ignored {@code "stream":true}) is not.
     */
    private static boolean mayBeEventStream(HttpResponse.ResponseInfo info) {
        String type = info.headers().firstValue("Content-Type").orElse("").strip().toLowerCase(Locale.ROOT);
        return type.isEmpty() || type.startsWith("text/event-stream") || type.startsWith("text/plain");
    }

    private LlmOutcome read(Bot bot, HttpResponse<ResponseBody> response, Completion completion, String key,
                            Watchdog dog) throws CallFailed {
        return switch (response.body()) {
            case ResponseBody.Raw raw -> throw refusal(response, raw, key, dog);
            case EventStream events -> {
                String type = response.headers().firstValue("Content-Type").orElse("");
                if (!type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                    LOG.log(System.Logger.Level.WARNING, "bot {0}: {1} answered with content type [{2}], not an"
                            + " event stream; reading it as one anyway", bot.id(), Urls.forLog(response.uri()),
                            redact(type, key));
                }
                yield finish(bot, events, completion, key, dog);
            }
        };
    }

    /** The error a non-2xx answer, or a 2xx that is no event stream, ends the call with, quoting its body's start. */
    private static CallFailed refusal(HttpResponse<ResponseBody> response, ResponseBody.Raw raw, String key,
                                      Watchdog dog) {
        String start;
        try (InputStream body = dog.watch(raw.in())) {
            start = new String(body.readNBytes(ERROR_BODY_BYTES), StandardCharsets.UTF_8);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                return new CallFailed(LlmOutcome.CANCELLED, "interrupted");
            }
            return new CallFailed(LlmOutcome.ERROR, "stream broke: " + CallFailed.describe(e));
        }
        String status = String.valueOf(response.statusCode());
        if (response.statusCode() >= 200 && response.statusCode() < 300) {
            status += " with content type [" + redact(response.headers().firstValue("Content-Type").orElse(""), key)
                    + "], not an event stream";
        }
        return new CallFailed(LlmOutcome.ERROR, Urls.forLog(response.uri()) + " answered " + status + ": "
                + redact(start, key));
    }

    /** Waits until the stream ends, is aborted or breaks; the text was handed over while it streamed. */
    private LlmOutcome finish(Bot bot, EventStream events, Completion completion, String key, Watchdog dog)
            throws CallFailed {
        LlmOutcome outcome;
        try {
            outcome = events.outcome().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dog.abort(LlmOutcome.CANCELLED, "interrupted");
            throw new CallFailed(LlmOutcome.CANCELLED, "interrupted");
        } catch (CancellationException e) {
            outcome = null;
        } catch (ExecutionException e) {
            if (dog.aborted().isEmpty()) {
                throw new CallFailed(LlmOutcome.ERROR, "stream broke: " + CallFailed.describe(e.getCause()));
            }
            outcome = null;
        } finally {
            events.stop();
        }
        if (completion.malformed() > 0) {
            LOG.log(System.Logger.Level.WARNING, "bot {0}: skipped {1} malformed stream chunks",
                    bot.id(), completion.malformed());
        }
        if (dog.aborted().isPresent()) {
            throw new CallFailed(dog.aborted().get(), "aborted while streaming");
        }
        if (outcome == LlmOutcome.ERROR) {
            throw new CallFailed(LlmOutcome.ERROR, "provider reported an error: " + redact(completion.problem(), key));
        }
        return outcome == null ? LlmOutcome.ERROR : outcome;
    }

    private String apiKey(Bot bot) {
        String name = bot.llmApiKeyEnv();
        if (name == null || name.isBlank()) {
            return "";
        }
        String value;
        try {
            value = settings.keyLookup().apply(name);
        } catch (RuntimeException e) {
            value = null;
        }
        if (value == null || value.isBlank()) {
            LOG.log(System.Logger.Level.DEBUG, "bot {0}: {1} holds no API key; calling without one", bot.id(), name);
            return "";
        }
        return value.strip();
    }

    /** Provider text made safe for a log line: the bot's key masked, control characters gone, length capped. */
    private static String redact(String text, String key) {
        String safe = key.isEmpty() ? text : text.replace(key, "[redacted]");
        safe = safe.replaceAll("\\p{Cntrl}+", " ").strip();
        return safe.length() > 500 ? safe.substring(0, 500) + "…" : safe;
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
