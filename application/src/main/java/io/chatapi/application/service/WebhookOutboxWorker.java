package io.chatapi.application.service;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.LogThrottle;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.DueWebhook;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.application.port.out.WebhookException;
import io.chatapi.application.port.out.WebhookSender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * Delivers the durable webhook outbox at least once: a pass right after {@link #wake()}, one every
 * {@code interval}, and one when the earliest retry falls due. A failed attempt is retried after an
 * exponential backoff from {@link ChatSettings#webhookRetryBase()}, jittered between half and all of it;
 * after {@link ChatSettings#webhookMaxAttempts()} attempts the entry becomes a dead letter. At most
 * {@value #PARALLELISM} requests to the receiver run at once, an entry is never delivered twice at the same time,
 * and a pass never acts on a row it read before that row's last attempt was recorded. Thread-safe.
 */
public final class WebhookOutboxWorker {
    static final int BATCH = 100;
    static final int PARALLELISM = 8;
    /** How long a stop lets the requests in flight finish before it interrupts them. */
    static final Duration IN_FLIGHT_WAIT = Duration.ofSeconds(10);
    static final Duration MAX_RETRY_DELAY = Duration.ofMinutes(10);
    private static final long RETRY_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int MAX_RETRY_TIMES = 100_000;
    private static final System.Logger LOG = System.getLogger(WebhookOutboxWorker.class.getName());

    private final DeliveryStore store;
    private final WebhookSender sender;
    private final ServerMetrics metrics;
    private final TimeSource clock;
    private final Duration interval;
    private final int maxAttempts;
    private final Duration retryBase;
    /** Failed attempts, and failed passes, are told in the log at most once a minute each. */
    private final LogThrottle failureLog = new LogThrottle(Duration.ofMinutes(1));
    private final LogThrottle passFailureLog = new LogThrottle(Duration.ofMinutes(1));
    private final RandomGenerator random;

    /** Entries being delivered, and those whose outcome is recorded but which no pass has read since. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    /**
     * Entries the receiver took (2xx) whose delivery the store could not record (disk full, say): recorded at the
     * next pass before anything else, and never sent again meanwhile.
     */
    private final Set<Long> unrecorded = ConcurrentHashMap.newKeySet();
    /**
     * Entries whose failed attempt the store could not record, and when ({@link System#nanoTime}) they may be tried
     * again: the store still has them due, and without this every pass would send them at once.
     */
    private final ConcurrentHashMap<Long, Long> heldAfterFailure = new ConcurrentHashMap<>();
    private final Queue<Long> settled = new ConcurrentLinkedQueue<>();
    private final Semaphore slots = new Semaphore(PARALLELISM);
    private final ExecutorService deliveries =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("webhook-delivery-", 0).factory());
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signal = lock.newCondition();
    private boolean wakeRequested;
    /**
     * When failed deliveries are due again ({@link System#nanoTime}), earliest first: each wakes the worker at its
     * time, not at the next periodic pass. Guarded by {@code lock}; at most {@link #MAX_RETRY_TIMES} kept (the
     * periodic pass finds the others).
     */
    private final PriorityQueue<Long> retryTimes = new PriorityQueue<>();
    private volatile boolean stopped;
    private Thread loop;
    private Duration inFlightWait = IN_FLIGHT_WAIT;

    public WebhookOutboxWorker(DeliveryStore store, WebhookSender sender, ChatSettings settings, ServerMetrics metrics,
                               TimeSource clock, Duration interval) {
        this(store, sender, settings, metrics, clock, interval, new SplittableRandom());
    }

    WebhookOutboxWorker(DeliveryStore store, WebhookSender sender, ChatSettings settings, ServerMetrics metrics,
                        TimeSource clock, Duration interval, RandomGenerator random) {
        this.store = Objects.requireNonNull(store, "store");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = requirePositive(interval);
        this.maxAttempts = Math.max(1, settings.webhookMaxAttempts());
        this.retryBase = requirePositive(settings.webhookRetryBase());
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Starts the worker thread; its first pass runs at once (entries left over from an earlier run). */
    public synchronized void start() {
        if (loop != null || stopped) {
            return;
        }
        loop = Thread.ofPlatform().name("webhook-outbox").daemon().start(this::loop);
    }

    /** Asks for a pass now: call after committing outbox rows. Never blocks. */
    public void wake() {
        lock.lock();
        try {
            wakeRequested = true;
            signal.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the worker: no new pass starts and no new request, and the requests in flight are let finish, for
     * {@link #IN_FLIGHT_WAIT} at most, so that what the receiver took is recorded and not sent again after the next
     * start; those still running then are interrupted (an interrupted attempt is not counted; its entry stays due),
     * and waited for five seconds more at most.
     */
    public void stop() {
        Thread thread;
        synchronized (this) {
            stopped = true;
            thread = loop;
        }
        wake();
        deliveries.shutdown();
        try {
            if (thread != null) {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
            if (!deliveries.awaitTermination(inFlightWait.toMillis(), TimeUnit.MILLISECONDS)) {
                deliveries.shutdownNow();
                deliveries.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            deliveries.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** A shorter wait for the requests in flight at a stop; for tests. */
    WebhookOutboxWorker withInFlightWait(Duration wait) {
        this.inFlightWait = wait;
        return this;
    }

    /**
     * One pass: starts a delivery for each due entry not already in flight. The returned future completes
     * when those deliveries have finished. An entry whose attempt ended is claimable again only from the next
     * pass on, which reads the outbox after that attempt was recorded: a pass that read the row earlier holds
     * a stale copy (a delivered row, or a failed one with its old attempt count).
     */
    synchronized CompletableFuture<Void> runOnce() {
        if (stopped || !sender.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        for (Long id = settled.poll(); id != null; id = settled.poll()) {
            inFlight.remove(id);
        }
        if (!recordUnrecorded()) {
            return CompletableFuture.completedFuture(null); // the store still refuses writes: nothing new is sent
        }
        List<DueWebhook> due;
        try {
            due = store.dueWebhooks(clock.now(), BATCH);
        } catch (RuntimeException e) {
            logPassFailure("cannot read the webhook outbox", e);
            return CompletableFuture.completedFuture(null);
        }
        long now = System.nanoTime();
        heldAfterFailure.values().removeIf(until -> until - now <= 0);
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (DueWebhook entry : due) {
            if (heldAfterFailure.containsKey(entry.id()) || !inFlight.add(entry.id())) {
                continue;
            }
            try {
                started.add(CompletableFuture.runAsync(() -> deliverGuarded(entry), deliveries));
            } catch (RejectedExecutionException e) {
                inFlight.remove(entry.id());
            }
        }
        CompletableFuture<Void> pass = CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
        if (due.size() >= BATCH && !started.isEmpty()) {
            pass.whenComplete((ignored, failure) -> wake());
        }
        return pass;
    }

    /**
     * The wait before retry number {@code attempts}: uniform between half and all of
     * min(cap, base * 2^(attempts-1)), so that retries spread out but never come sooner than half the base.
     */
    static Duration retryDelay(Duration base, int attempts, RandomGenerator random) {
        long cap = MAX_RETRY_DELAY.toMillis();
        long baseMillis = Math.min(cap, Math.max(1, base.toMillis()));
        int doublings = Math.max(0, attempts - 1);
        long ceiling = doublings >= 30 ? cap : Math.min(cap, baseMillis << doublings);
        long half = ceiling / 2;
        return Duration.ofMillis(half + random.nextLong(ceiling - half + 1));
    }

    /** Records the deliveries the store refused before; false while it still refuses them. */
    private boolean recordUnrecorded() {
        for (Long id : unrecorded) {
            try {
                store.webhookDelivered(id);
                unrecorded.remove(id);
            } catch (RuntimeException e) {
                logPassFailure("cannot record " + unrecorded.size() + " webhook deliveries, which will not be sent"
                        + " again", e);
                return false;
            }
        }
        return true;
    }

    /**
     * One attempt. A slot is held for the request only: the attempt's outcome is recorded after it is let go, so a
     * writer busy with other commits slows the recording of deliveries, which the group commit then takes together,
     * not the requests to the receiver.
     */
    private void deliverGuarded(DueWebhook entry) {
        try {
            if (entry.read()) {
                withdrawRead(entry);
                return;
            }
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (stopped) {
                slots.release(); // no new request once the stop began: the entry stays due for the next start
                return;
            }
            Attempt attempt;
            try {
                attempt = send(entry);
            } finally {
                slots.release();
            }
            if (attempt.failure() == null) {
                delivered(entry);
            } else if (!attempt.stopped()) {
                failed(entry, attempt.failure());
            }
        } catch (RuntimeException e) {
            logPassFailure("cannot record webhook attempt " + entry.id(), e);
        } finally {
            settled.add(entry.id());
        }
    }

    /** How a request ended: taken (no failure), failed, or cut by the stop (not counted as an attempt). */
    private record Attempt(WebhookException failure, boolean stopped) {
    }

    private Attempt send(DueWebhook entry) {
        try {
            sender.deliver(entry.item().webhookId(), entry.item().body().text());
            return new Attempt(null, false);
        } catch (WebhookException e) {
            return new Attempt(e, stopped || Thread.currentThread().isInterrupted());
        }
    }

    private void delivered(DueWebhook entry) {
        metrics.webhookDeliveries.incrementAndGet();
        try {
            store.webhookDelivered(entry.id());
        } catch (RuntimeException e) {
            unrecorded.add(entry.id());
            logPassFailure("cannot record webhook delivery " + entry.id() + ", which will not be sent again", e);
        }
    }

    /**
     * A push notification whose recipient has read the message since it was queued (it waited behind a backlog,
     * or for a retry): removed unsent, so a receiver that comes back after an outage does not notify users of
     * messages they have read.
     */
    private void withdrawRead(DueWebhook entry) {
        try {
            store.webhookDelivered(entry.id());
        } catch (RuntimeException e) {
            unrecorded.add(entry.id());
            logPassFailure("cannot remove webhook " + entry.id() + ", whose message was read, from the outbox", e);
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "webhook {0} not sent: {1} has read the message since",
                entry.item().webhookId(), entry.item().userId());
    }

    private void failed(DueWebhook entry, WebhookException failure) {
        int attempts = entry.attempts() + 1;
        boolean dead = attempts >= maxAttempts;
        Duration delay;
        synchronized (random) {
            delay = retryDelay(retryBase, attempts, random);
        }
        Instant now = clock.now();
        metrics.webhookFailures.incrementAndGet();
        try {
            store.webhookFailed(entry.id(), attempts, now.plus(delay), dead, now);
        } catch (RuntimeException e) {
            // still due as the store has it: held here for the backoff instead, then sent again
            heldAfterFailure.put(entry.id(), System.nanoTime() + delay.toNanos());
            logPassFailure("cannot record a failed attempt of webhook " + entry.id() + ", which is sent again after "
                    + "its backoff", e);
            retryAfter(delay);
            return;
        }
        if (dead) {
            metrics.deadLetters.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "webhook {0} ({1}) is a dead letter after {2} attempts: {3}",
                    entry.item().webhookId(), entry.item().kind(), attempts, failure.getMessage());
        } else {
            LOG.log(System.Logger.Level.DEBUG, "webhook {0} attempt {1} failed, retry in {2} ms: {3}",
                    entry.item().webhookId(), attempts, delay.toMillis(), failure.getMessage());
            logFailure(failure);
            retryAfter(delay);
        }
    }

    /** A failed pass, as every pass fails while the database does: at most one line a minute. */
    private void logPassFailure(String what, RuntimeException e) {
        long held = passFailureLog.pass();
        if (held >= 0) {
            LOG.log(System.Logger.Level.WARNING, "{0} ({1} since the last such line): {2}", what, held + 1,
                    e.toString());
        }
    }

    /**
     * A WARNING for failed attempts, at most once a minute: an operator learns that the webhook fails long before
     * the first dead letter (about 18 minutes with the defaults), and a webhook that is down fills no log.
     */
    private void logFailure(WebhookException failure) {
        long held = failureLog.pass();
        if (held >= 0) {
            LOG.log(System.Logger.Level.WARNING, "webhook attempts are failing and will be retried ({0} since the "
                    + "last such line): {1}", held + 1, failure.getMessage());
        }
    }

    private void retryAfter(Duration delay) {
        long at = System.nanoTime() + delay.toNanos() + RETRY_SLACK_NANOS;
        lock.lock();
        try {
            boolean earliest = retryTimes.isEmpty() || at - retryTimes.peek() < 0;
            if (retryTimes.size() < MAX_RETRY_TIMES) {
                retryTimes.add(at);
            }
            if (earliest) {
                signal.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        long periodicAt = System.nanoTime();
        while (!stopped) {
            lock.lock();
            try {
                while (!stopped && !wakeRequested) {
                    Long retryAt = retryTimes.peek();
                    long deadline = retryAt != null && retryAt - periodicAt < 0 ? retryAt : periodicAt;
                    long wait = deadline - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    signal.awaitNanos(wait);
                }
                wakeRequested = false;
                long now = System.nanoTime();
                while (!retryTimes.isEmpty() && retryTimes.peek() - now <= 0) {
                    retryTimes.poll();
                }
                if (periodicAt - now <= 0) {
                    periodicAt = now + interval.toNanos();
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (!stopped) {
                try {
                    runOnce();
                } catch (RuntimeException e) {
                    logPassFailure("webhook outbox pass failed", e);
                }
            }
        }
    }

    private static Duration requirePositive(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("the duration must be positive: " + duration);
        }
        return duration;
    }
}
