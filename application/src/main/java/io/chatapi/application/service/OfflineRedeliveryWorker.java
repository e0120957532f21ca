package io.chatapi.application.service;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.LogThrottle;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.in.UnsentMessagesUseCase;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.ConnectionDirectory;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.domain.Member;
import io.chatapi.domain.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongBiFunction;

/**
 * Re-delivers queued messages to members who come back online: every {@code interval} it writes each queued message as
 * a {@code message} event to the user's connections, once all of them are at least {@link #SETTLE} old (younger ones
 * may still be resuming) and none has its outgoing queue half full ({@link EventPublisher#redeliver}), or, after {@link
 * #MAX_WAIT_FOR_ALL}, to those that are; it removes the entry once a connection has written it to its socket (an entry
 * a connection took and has not written yet is not sent again, and is queued afresh if every connection that took it
 * ends without writing it), and a user whose connections did not take an entry keeps the rest for the next pass, in
 * order. For users still offline it counts an attempt; entries reaching {@link ChatSettings#offlineMaxAttempts()}
 * become dead letters, and so do those of users still offline that have waited that many intervals, however few passes
 * read them: a queue longer than a pass reads is read on at the next pass, so each of its entries is counted only every
 * few passes, and dead letters would otherwise not keep up with the entries queued. That wait counts from the latest of
 * the message's time, the last time the user had a connection ({@link ConnectionDirectory#lastConnected}) and this
 * worker's making; and no entry becomes a dead letter, by either rule, until its user has been away that many intervals
 * since their last connection, or since this worker was made when it knows of none (attempts are still counted
 * meanwhile): an entry that waited while its user was online (held for a slow reader, or queued afresh when a
 * connection closed without writing it), or that had attempts counted during an earlier absence, has as long as any
 * other once they go. {@code deliveryAttempts} counts every entry written to a connection or found with its user
 * offline, {@code deliveryFailures} the latter, so failures are a part of the attempts. Each entry is written while the
 * room's members are held ({@link CachingRoomStore#holdMembers}) and only to a member: a page is read ahead, and a
 * member who leaves or is removed meanwhile has their entries dropped by the store but not from the page. Runs on one
 * platform thread of its own.
 */
public final class OfflineRedeliveryWorker {
    static final Duration SETTLE = Duration.ofSeconds(2);
    /**
     * How long a returning user's backlog waits for all their connections to be {@link #SETTLE} old; after that it
     * goes to those that are, so that a device reconnecting in a loop holds up no other (one that stops reading is
     * let go by the publisher, see {@link EventPublisher#publishToSettled}).
     */
    static final Duration MAX_WAIT_FOR_ALL = Duration.ofSeconds(10);
    private static final int MAX_WAITING_USERS = 100_000;
    static final int BATCH = 1000;
    /** Pages of {@link #BATCH} entries one pass reads at most. */
    static final int MAX_PAGES = 100;
    private static final System.Logger LOG = System.getLogger(OfflineRedeliveryWorker.class.getName());

    private final DeliveryStore store;
    private final MessageStore messages;
    private final CachingRoomStore rooms;
    private final ConnectionDirectory connections;
    private final EventPublisher publisher;
    private final UnsentMessagesUseCase unsent;
    private final ServerMetrics metrics;
    private final TimeSource clock;
    private final Duration interval;
    private final int maxAttempts;
    /** When this worker was made: an entry's age for {@link DeliveryStore#expire} counts from here at the earliest. */
    private final Instant startedAt;
    /** A pass that fails, as every pass does while the database fails, is told at most once a minute. */
    private final LogThrottle passFailureLog = new LogThrottle(Duration.ofMinutes(1));
    private ScheduledExecutorService scheduler;

    /** Users whose backlog waits for all their connections, since when; touched by the passes only. */
    private final Map<String, Instant> waitingSince = new ConcurrentHashMap<>();
    /** Entries written to a client whose removal the store refused (a full disk, say): never written again. */
    private final Set<Long> unremoved = ConcurrentHashMap.newKeySet();
    /**
     * Entries a connection accepted and has not written yet: not sent again, and removed once written; queued afresh
     * when every connection that accepted one ended without writing it ({@link #removeWritten}).
     */
    private final Map<Long, InFlight> inFlight = new ConcurrentHashMap<>();

    /** An entry a connection accepted, and what became of it there. */
    private record InFlight(PendingDelivery entry, EventPublisher.Redelivery redelivery) {
    }
    private int batch = BATCH;
    private int maxPages = MAX_PAGES;
    /**
     * Where the next pass goes on reading the queue: after the last entry the previous pass read, when it stopped
     * at its page budget; null when it read to the end. Touched by the passes only.
     */
    private PendingDelivery readOnAfter;
    /** The seq up to which a user has acknowledged a room, as far as this process knows (0 when it does not). */
    private volatile ToLongBiFunction<String, String> acknowledged = (userId, roomId) -> 0;

    public OfflineRedeliveryWorker(DeliveryStore store, MessageStore messages, CachingRoomStore rooms,
                                   ConnectionDirectory connections, EventPublisher publisher,
                                   UnsentMessagesUseCase unsent, ChatSettings settings, ServerMetrics metrics,
                                   TimeSource clock, Duration interval) {
        this.store = Objects.requireNonNull(store, "store");
        this.messages = Objects.requireNonNull(messages, "messages");
        this.rooms = Objects.requireNonNull(rooms, "rooms");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.unsent = Objects.requireNonNull(unsent, "unsent");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the worker interval must be positive: " + interval);
        }
        this.maxAttempts = Math.max(1, settings.offlineMaxAttempts());
        this.startedAt = clock.now();
    }

    /**
     * Where read receipts are known as soon as they are made, before the store has cleared what they cover: an
     * entry a receipt covers is removed by the pass that meets it, neither written to its user nor counted as an
     * attempt (a long queue's clearing takes many writes, during which the passes go on).
     */
    public void setAcknowledged(ToLongBiFunction<String, String> acknowledged) {
        this.acknowledged = Objects.requireNonNull(acknowledged, "acknowledged");
    }

    /** Starts the periodic passes; the first one runs one interval from now. */
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("offline-redelivery").daemon().factory());
        long nanos = interval.toNanos();
        scheduler.scheduleWithFixedDelay(this::runGuarded, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** Stops the passes and waits up to five seconds for a running one to finish. */
    public synchronized void stop() {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            removeWritten(); // the sockets were drained before: what they wrote is not owed after the restart
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "entries written by the stop's last writes not removed: {0}",
                    e.toString());
        }
    }

    /**
     * Removes the entries written since the last call; those whose connections all ended without writing them are
     * owed again as a message a closed connection never wrote is (queued afresh, with its attempts from 0 and a
     * {@code message.offline} notification, unless the user acknowledged it meanwhile). The others stay in flight.
     */
    void removeWritten() {
        if (inFlight.isEmpty()) {
            return;
        }
        List<Long> written = new ArrayList<>();
        List<PendingDelivery> unwritten = new ArrayList<>();
        for (InFlight held : inFlight.values()) {
            if (held.redelivery().written()) {
                written.add(held.entry().id());
            } else if (held.redelivery().settled()) {
                unwritten.add(held.entry());
            }
        }
        if (!written.isEmpty()) {
            try {
                remove(written);
            } finally {
                written.forEach(inFlight::remove);
            }
        }
        if (!unwritten.isEmpty()) {
            remove(unwritten.stream().map(PendingDelivery::id).toList()); // first: the queue holds a message once
            Map<String, List<UnsentMessagesUseCase.UnsentMessage>> byUser = new HashMap<>();
            for (PendingDelivery entry : unwritten) {
                inFlight.remove(entry.id());
                byUser.computeIfAbsent(entry.userId(), user -> new ArrayList<>()).add(
                        new UnsentMessagesUseCase.UnsentMessage(entry.roomId(), entry.messageId(), entry.seq()));
            }
            byUser.forEach(unsent::unsent);
        }
    }

    /** Removes entries done with; those the store refuses (a full disk, say) go first thing next pass. */
    private void remove(List<Long> entries) {
        try {
            store.removePending(entries);
        } catch (RuntimeException e) {
            unremoved.addAll(entries); // never written again
            throw e;
        }
    }

    /** Entries accepted by a connection and not yet written. */
    int inFlight() {
        return inFlight.size();
    }

    /** Smaller pages, and fewer of them a pass; for tests. */
    OfflineRedeliveryWorker withPages(int entries, int perPass) {
        this.batch = entries;
        this.maxPages = perPass;
        return this;
    }

    /**
     * One pass over the queue, a page of {@link #BATCH} entries at a time and at most {@link #MAX_PAGES} pages: the
     * entries of users who stay away are kept for a few passes before they become dead letters, and a returning
     * user's entries behind them must not wait for those to go. A queue longer than that is read on from where the
     * last pass stopped, so that every entry has its turn; and while it is, each pass first looks up the entries
     * of the users who are online, whose backlog would otherwise wait for the reading to come round to it.
     */
    void runOnce() {
        Map<String, Boolean> online = new HashMap<>();
        Set<String> held = new HashSet<>();
        Set<Long> attempted = new HashSet<>();
        if (!unremoved.isEmpty()) {
            store.removePending(List.copyOf(unremoved)); // while the store refuses it, the pass ends here
            unremoved.clear();
        }
        removeWritten();
        // a close longer ago than the attempts take holds no entry back any more
        connections.forgetClosedBefore(clock.now().minus(interval.multipliedBy(maxAttempts)));
        try {
            if (readOnAfter != null) {
                for (String user : connections.onlineUsers()) {
                    runBacklogOf(user, online, held, attempted);
                }
            }
            PendingDelivery after = readOnAfter;
            readOnAfter = null;
            for (int pages = 1; ; pages++) {
                List<PendingDelivery> page = store.pending(after, batch);
                runPage(page, online, held, attempted);
                if (page.size() < batch) {
                    return; // read to the end: the next pass starts from the beginning
                }
                after = page.getLast();
                if (pages == maxPages) {
                    readOnAfter = after;
                    return;
                }
            }
        } finally {
            waitingSince.keySet().retainAll(held); // a user with nothing held any more waits afresh next time
        }
    }

    /**
     * An online user's entries, a page at a time while they all went out, up to the pass's page budget. Each page
     * starts after the last one: the entries of a page that a connection took and has not written yet are still
     * queued, and reading from the start again would find only them.
     */
    private void runBacklogOf(String user, Map<String, Boolean> online, Set<String> held, Set<Long> attempted) {
        PendingDelivery after = null;
        for (int pages = 0; pages < maxPages; pages++) {
            List<PendingDelivery> page = store.pendingFor(user, after, batch);
            attempted.addAll(runPage(page, online, held, attempted)); // went offline meanwhile
            if (page.size() < batch || held.contains(user) || !online.get(user)) {
                return; // all of it, or what is left waits: the user's devices are not ready, or it went offline
            }
            after = page.getLast();
        }
    }

    /**
     * Returns the entries it counted an attempt on (their user was offline); those in {@code attempted} (counted
     * earlier in the pass) it does not count again.
     */
    private List<Long> runPage(List<PendingDelivery> batch, Map<String, Boolean> online, Set<String> held,
                               Set<Long> attempted) {
        Map<String, Optional<Message>> found = new HashMap<>();
        List<Long> done = new ArrayList<>();
        List<Long> missed = new ArrayList<>();
        List<Long> expired = new ArrayList<>();
        List<Long> missedRecently = new ArrayList<>();
        LastMemberList memberList = new LastMemberList();
        Instant expiredBefore = clock.now().minus(interval.multipliedBy(maxAttempts));
        boolean anyExpired = !startedAt.isAfter(expiredBefore); // the time the server was down counts for nothing
        Map<String, Boolean> awayLongEnough = new HashMap<>();
        ToLongBiFunction<String, String> read = acknowledged;
        for (PendingDelivery entry : batch) {
            String user = entry.userId();
            if (entry.seq() <= read.applyAsLong(user, entry.roomId())) {
                done.add(entry.id()); // read since it was queued: owed nothing
                continue;
            }
            if (!online.computeIfAbsent(user, connections::isOnline)) {
                if (!attempted.contains(entry.id())) {
                    if (!awayLongEnough.computeIfAbsent(user, away -> connections.lastConnected(away)
                            .map(last -> !last.isAfter(expiredBefore)).orElse(anyExpired))) {
                        // had a connection within as many intervals as the attempts take (or may have had one
                        // before this worker was made: a restart): however many attempts were counted before,
                        // none of this absence's is the last yet
                        missedRecently.add(entry.id());
                    } else if (anyExpired && !entry.createdAt().isAfter(expiredBefore)) {
                        // queued as long ago as the passes that make a dead letter take: so many passes found its
                        // user away, or would have, had the queue been short enough for each to read it
                        expired.add(entry.id());
                    } else {
                        missed.add(entry.id());
                    }
                }
                continue;
            }
            if (held.contains(user) || inFlight.containsKey(entry.id())) {
                // an earlier entry of this user did not go out: keep the order, try next pass; or this one is in a
                // connection's queue already
                continue;
            }
            Optional<Message> message = found.computeIfAbsent(entry.roomId() + '\u0000' + entry.messageId(),
                    key -> messages.find(entry.roomId(), entry.messageId()));
            if (message.isEmpty()) {
                done.add(entry.id());
                continue;
            }
            Instant waiting = waitingSince.get(user);
            boolean waitForAll = waiting == null || clock.now().isBefore(waiting.plus(MAX_WAIT_FOR_ALL));
            EventPublisher.Redelivery sent;
            // a removal answered before the hold is seen here, one asked during it waits until the entry is written
            try (CachingRoomStore.MembersHold hold = rooms.holdMembers(entry.roomId())) {
                if (!memberList.includes(rooms.members(entry.roomId()), user)) {
                    done.add(entry.id()); // left the room since the page was read: owed nothing more of it
                    continue;
                }
                sent = publisher.redeliver(user, new ChatEvent.MessageCreated(message.get(), false), SETTLE,
                        waitForAll);
            }
            if (sent.accepted() > 0) {
                metrics.deliveryAttempts.incrementAndGet();
                if (sent.written()) {
                    done.add(entry.id());
                } else {
                    inFlight.put(entry.id(), new InFlight(entry, sent)); // removed once written (removeWritten)
                }
            } else {
                held.add(user);
                if (waiting == null && waitingSince.size() < MAX_WAITING_USERS) {
                    waitingSince.put(user, clock.now());
                }
            }
        }
        if (!done.isEmpty()) {
            remove(done);
        }
        if (!missed.isEmpty() || !expired.isEmpty() || !missedRecently.isEmpty()) {
            int dead = store.recordAttempts(missed, maxAttempts, clock.now())
                    + store.expire(expired, maxAttempts, clock.now());
            store.recordAttempts(missedRecently, Integer.MAX_VALUE, clock.now());
            missed.addAll(expired);
            missed.addAll(missedRecently);
            metrics.deliveryAttempts.addAndGet(missed.size());
            metrics.deliveryFailures.addAndGet(missed.size());
            metrics.deadLetters.addAndGet(dead);
        }
        return missed;
    }

    /**
     * The user ids of the member list seen last, kept while the room store hands out that same list: a page comes
     * room by room, so a large room's list is not searched again for each of its entries. A list is immutable.
     */
    private static final class LastMemberList {
        private List<Member> list;
        private Set<String> userIds = Set.of();

        boolean includes(List<Member> members, String userId) {
            if (members != list) {
                list = members;
                userIds = new HashSet<>(MessageText.userIds(members));
            }
            return userIds.contains(userId);
        }
    }

    private void runGuarded() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            long held = passFailureLog.pass();
            if (held >= 0) {
                LOG.log(System.Logger.Level.WARNING, "offline re-delivery pass failed ({0} since the last such line): "
                        + "{1}", held + 1, e.toString());
            }
        }
    }
}
