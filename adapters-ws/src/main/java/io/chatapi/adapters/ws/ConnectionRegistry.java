package io.chatapi.adapters.ws;

import io.chatapi.adapters.ws.json.EventFrames;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.in.PresenceUseCase;
import io.chatapi.application.port.in.UnsentMessagesUseCase;
import io.chatapi.application.port.in.UnsentMessagesUseCase.UnsentMessage;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.ConnectionDirectory;
import io.chatapi.application.port.out.EventPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The open sockets of every user. Publishing encodes an event once and queues it on each target connection
 * without ever blocking: a connection whose queue is full is closed (1013) instead. Presence is told when a
 * user's first connection opens and when the last one closes. The {@code message} events a connection never wrote
 * to its socket are handed, once it has left, to the use case that queues them for offline delivery, on a thread
 * of their own. Created before the services (they publish through it) and attached to the server by
 * {@link ChatServer#start}. Thread-safe.
 */
public final class ConnectionRegistry implements EventPublisher, ConnectionDirectory {
    private static final Logger LOG = Logger.getLogger(ConnectionRegistry.class.getName());
    /** The longest a stop waits for the unsent messages of its closed sockets to be queued. */
    private static final Duration UNSENT_WAIT = Duration.ofSeconds(5);

    /** The outcome of registering a connection. */
    enum Registration { FIRST, ADDED, FULL }

    private final ServerMetrics metrics;
    private final ConcurrentHashMap<String, List<SocketConnection>> byUser = new ConcurrentHashMap<>();
    /** When users' last connections closed, until {@link #forgetClosedBefore} (see {@link #lastConnected}). */
    private final ConcurrentHashMap<String, Instant> lastClosed = new ConcurrentHashMap<>();
    private final Set<SocketConnection> all = ConcurrentHashMap.newKeySet();
    private volatile int maxPerUser = Integer.MAX_VALUE;
    private final AtomicLong handshakes = new AtomicLong();
    /** Counts registrations: a user's connections register in the order of their places. */
    private final AtomicLong registrations = new AtomicLong();
    private volatile PresenceUseCase presence;
    private volatile ExecutorService presenceCalls;
    private volatile UnsentMessagesUseCase unsentMessages;
    /** Platform threads: queuing unsent messages reads and writes the database. */
    private volatile ExecutorService unsentCalls;
    /** Users with unsent messages of a closed connection on their way to the offline queue, and how many batches. */
    private final Map<String, Integer> unsentInFlight = new ConcurrentHashMap<>();
    /**
     * How long a settled connection may stay too full to take re-deliveries, with its writer taking nothing from
     * its queue, before the backlog goes on without it: a client that reads, however slowly, is waited for.
     */
    private volatile Duration maxBehind = Duration.ofSeconds(10);

    public ConnectionRegistry(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Called by the server at start: the per-user connection cap, who to tell about presence and who queues the
     * messages a closed connection never sent.
     */
    void attach(int maxConnectionsPerUser, PresenceUseCase presenceUseCase, UnsentMessagesUseCase unsent) {
        this.maxPerUser = Math.max(1, maxConnectionsPerUser);
        this.presence = presenceUseCase;
        this.presenceCalls = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ws-presence");
            t.setDaemon(true);
            return t;
        });
        this.unsentMessages = unsent;
        this.unsentCalls = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ws-unsent");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Called by the server when it has stopped: lets queued presence calls finish, briefly, and the unsent
     * messages of the closed sockets be queued, for up to {@link #UNSENT_WAIT}, before the database closes.
     */
    void detach() {
        ExecutorService calls = presenceCalls;
        presence = null;
        awaitCalls(calls, Duration.ofSeconds(2));
        awaitCalls(unsentCalls, UNSENT_WAIT);
    }

    private static void awaitCalls(ExecutorService calls, Duration wait) {
        if (calls != null) {
            calls.shutdown();
            try {
                if (!calls.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warning(() -> "calls still running after " + wait.toMillis() + " ms of the stop are left");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * {@code message} events a connection never wrote to its socket; called once it has left the registry. Nothing
     * when another connection of the user, registered before it, is open now: every event published to the one
     * was published to the other too. One registered since may have missed them (it opened after they were
     * published), so they are queued, and the offline queue's re-delivery drops those that connection was sent
     * live. Never blocks: they are queued on a thread of their own, and until they are, the offline queue
     * re-delivers nothing to the user ({@link #publishToSettled}), so that a reconnected client gets its backlog in
     * seq order.
     */
    void unsent(SocketConnection connection, List<ChatEvent> messages) {
        UnsentMessagesUseCase target = unsentMessages;
        ExecutorService calls = unsentCalls;
        String userId = connection.userId();
        if (target == null || calls == null || openSince(userId, connection.registration())) {
            return;
        }
        List<UnsentMessage> unsent = new ArrayList<>(messages.size());
        for (ChatEvent event : messages) {
            switch (event) {
                case ChatEvent.MessageCreated m ->
                        unsent.add(new UnsentMessage(m.roomId(), m.message().id(), m.message().seq()));
                case ChatEvent.StreamEnd e -> unsent.add(new UnsentMessage(e.roomId(), e.messageId(), e.seq()));
                default -> {
                }
            }
        }
        if (unsent.isEmpty()) {
            return;
        }
        unsentInFlight.merge(userId, 1, Integer::sum);
        try {
            calls.execute(() -> {
                try {
                    target.unsent(userId, unsent);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "queuing unsent messages failed", e);
                } finally {
                    unsentQueued(userId);
                }
            });
        } catch (RejectedExecutionException e) {
            unsentQueued(userId);
            LOG.warning(() -> unsent.size() + " messages a connection of " + userId + " never sent, after the stop:"
                    + " not queued");
        }
    }

    private void unsentQueued(String userId) {
        unsentInFlight.computeIfPresent(userId, (user, count) -> count == 1 ? null : count - 1);
    }

    @Override
    public void publish(Collection<String> userIds, ChatEvent event) {
        String frame = null;
        Collection<String> users = userIds instanceof Set<?> || userIds.size() < 2
                ? userIds : new LinkedHashSet<>(userIds);
        for (String userId : users) {
            List<SocketConnection> connections = byUser.get(userId);
            if (connections == null) {
                continue;
            }
            if (frame == null) {
                frame = EventFrames.event(event);
            }
            for (SocketConnection connection : connections) {
                connection.deliver(event, frame);
            }
        }
    }

    @Override
    public int publishToSettled(String userId, ChatEvent event, Duration minAge, boolean waitForAll) {
        return toSettled(userId, event, minAge, waitForAll, null);
    }

    @Override
    public Redelivery redeliver(String userId, ChatEvent event, Duration minAge, boolean waitForAll) {
        Redelivering redelivery = new Redelivering();
        redelivery.accepted = toSettled(userId, event, minAge, waitForAll, redelivery);
        return redelivery;
    }

    /** A re-delivered message: the connections that accepted it, and whether one of them wrote it. */
    private static final class Redelivering implements Redelivery {
        private final List<SocketConnection> connections = new ArrayList<>(1);
        private volatile boolean written;
        private int accepted;

        @Override
        public int accepted() {
            return accepted;
        }

        @Override
        public boolean written() {
            return written;
        }

        @Override
        public boolean settled() {
            if (written) {
                return true;
            }
            for (SocketConnection connection : connections) {
                if (!connection.hasEnded()) {
                    return false;
                }
            }
            return true;
        }

        void wrote() {
            written = true;
        }
    }

    /** Sends to the user's settled connections; {@code redelivery}, when given, learns what becomes of it. */
    private int toSettled(String userId, ChatEvent event, Duration minAge, boolean waitForAll,
                          Redelivering redelivery) {
        List<SocketConnection> connections = byUser.get(userId);
        if (connections == null || unsentInFlight.containsKey(userId)) {
            return 0; // no connection, or earlier messages of a closed one not queued yet: at a later pass
        }
        long now = System.nanoTime();
        List<SocketConnection> behind = new ArrayList<>(0); // stopped reading, then also refusing this event
        for (SocketConnection connection : connections) {
            if (!connection.readerAlive()) {
                continue; // a client gone: the sweep ends its connection
            }
            if (connection.age().compareTo(minAge) < 0) {
                if (waitForAll) {
                    return 0; // every connection of the user gets it, at a later pass
                }
                continue; // one that may be resuming
            }
            if (connection.roomToRedeliver()) {
                connection.caughtUp();
            } else if (!connection.behindLongerThan(maxBehind, now)) {
                return 0; // a client that reads is waited for; the backlog goes on at a later pass
            } else {
                behind.add(connection);
            }
        }
        String frame = null;
        int accepted = 0;
        for (SocketConnection connection : connections) {
            if (!connection.readerAlive() || connection.age().compareTo(minAge) < 0 || behind.contains(connection)) {
                continue;
            }
            if (frame == null) {
                frame = EventFrames.event(event);
            }
            boolean taken;
            if (event instanceof ChatEvent.MessageCreated owed) {
                taken = connection.redeliver(owed, frame, redelivery == null ? () -> { } : redelivery::wrote);
                if (taken && redelivery != null) {
                    redelivery.connections.add(connection);
                }
            } else {
                taken = connection.deliver(event, frame);
            }
            if (taken) {
                accepted++;
            } else {
                behind.add(connection);
            }
        }
        if (accepted > 0) {
            // the entry is done with: a connection that took none of the backlog for maxBehind, or refused this one,
            // would miss it without a word, so it is closed as a slow consumer, as for live events, and resumes
            behind.forEach(SocketConnection::fellBehind);
        }
        return accepted;
    }

    /** How long the offline queue's re-delivery waits for a settled connection whose queue stays half full. */
    void maxBehind(Duration wait) {
        this.maxBehind = wait;
    }

    /** Whether a connection of the user registered before {@code registration} is open, as for {@link #isOnline}. */
    private boolean openSince(String userId, long registration) {
        List<SocketConnection> connections = byUser.get(userId);
        if (connections == null) {
            return false;
        }
        for (SocketConnection connection : connections) {
            if (connection.registration() < registration && connection.readerAlive()) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the user has a connection whose reading thread still runs. A client that went away without a
     * close frame (a killed app: only a TCP FIN) ends that thread at once, but its connection stays registered
     * until the next sweep (up to a second): a message sent meanwhile is queued for the user, and told to the
     * webhook, as for any user without a connection.
     */
    @Override
    public boolean isOnline(String userId) {
        List<SocketConnection> connections = byUser.get(userId);
        if (connections == null) {
            return false;
        }
        for (SocketConnection connection : connections) {
            if (connection.readerAlive()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Set<String> onlineUsers() {
        Set<String> online = new HashSet<>();
        for (String userId : byUser.keySet()) {
            if (isOnline(userId)) {
                online.add(userId);
            }
        }
        return Set.copyOf(online);
    }

    @Override
    public Optional<Instant> lastConnected(String userId) {
        if (byUser.containsKey(userId)) {
            return Optional.of(Instant.now()); // registered: open, or gone without a close until the next sweep
        }
        return Optional.ofNullable(lastClosed.get(userId));
    }

    @Override
    public void forgetClosedBefore(Instant cutoff) {
        lastClosed.values().removeIf(closed -> closed.isBefore(cutoff));
    }

    /** Starts tracking a connection for pings, the idle sweep and shutdown (registered or not). */
    void track(SocketConnection connection) {
        all.add(connection);
    }

    void forget(SocketConnection connection) {
        all.remove(connection);
    }

    Collection<SocketConnection> all() {
        return List.copyOf(all);
    }

    /** The place of a handshake now being answered, for {@link #register}: the first is 1. */
    long nextHandshake() {
        return handshakes.incrementAndGet();
    }

    /**
     * Adds a connection to its user's, unless the user is at the cap; tells presence about a first one. Presence
     * calls are queued inside the map update, so they keep the order of the updates that caused them. The one over
     * the cap is the newest by handshake, not by registration: two handshakes answered together may open in either
     * order, and the older, whose client may already use it, is kept while the newer is closed with 1008.
     */
    Registration register(SocketConnection connection) {
        Registration[] outcome = new Registration[1];
        SocketConnection[] newer = new SocketConnection[1];
        byUser.compute(connection.userId(), (user, list) -> {
            if (list == null) {
                outcome[0] = Registration.FIRST;
                connection.registeredAs(registrations.incrementAndGet());
                tellPresence(target -> target.firstConnectionOpened(user));
                return List.of(connection);
            }
            // a connection whose client went away without a close frame is not counted: the sweep ends it
            List<SocketConnection> counted = list.stream().filter(SocketConnection::readerAlive).toList();
            List<SocketConnection> next = new ArrayList<>(list.size() + 1);
            next.addAll(list);
            if (counted.size() >= maxPerUser) {
                SocketConnection newest = counted.stream()
                        .max(Comparator.comparingLong(SocketConnection::handshake)).orElseThrow();
                if (newest.handshake() < connection.handshake()) {
                    outcome[0] = Registration.FULL;
                    return list;
                }
                newer[0] = newest;
                next.remove(newest);
                tellPresence(target -> target.connectionClosed(user));
            }
            outcome[0] = Registration.ADDED;
            connection.registeredAs(registrations.incrementAndGet());
            next.add(connection);
            return List.copyOf(next);
        });
        if (newer[0] != null) {
            newer[0].closeOverLimit(); // out of the registry already: it counted, and this one takes its place
        } else if (outcome[0] != Registration.FULL) {
            metrics.activeConnections.incrementAndGet();
        }
        return outcome[0];
    }

    /** Removes a connection if registered; tells presence when it was the user's last. Idempotent. */
    void unregister(SocketConnection connection) {
        boolean[] removed = new boolean[1];
        byUser.computeIfPresent(connection.userId(), (user, list) -> {
            if (!list.contains(connection)) {
                return list;
            }
            removed[0] = true;
            List<SocketConnection> next = new ArrayList<>(list);
            next.remove(connection);
            if (next.isEmpty()) {
                lastClosed.put(user, Instant.now());
                tellPresence(target -> target.lastConnectionClosed(user));
                return null;
            }
            tellPresence(target -> target.connectionClosed(user));
            return List.copyOf(next);
        });
        if (removed[0]) {
            metrics.activeConnections.decrementAndGet();
        }
    }

    /** Presence calls run in order on one thread of their own, so that no publisher ever waits for them. */
    private void tellPresence(Consumer<PresenceUseCase> call) {
        PresenceUseCase target = presence;
        ExecutorService calls = presenceCalls;
        if (target == null || calls == null) {
            return;
        }
        try {
            calls.execute(() -> {
                try {
                    call.accept(target);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "presence update failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "presence update after stop ignored");
        }
    }
}
