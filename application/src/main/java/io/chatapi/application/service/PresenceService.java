package io.chatapi.application.service;

import io.chatapi.application.port.in.PresenceUseCase;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.ConnectionDirectory;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.PresenceStore;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.application.port.out.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Presence for the users who share a room with someone: online at the first connection, offline a grace
 * period after the last one closes unless the user came back. Rooms of more than
 * {@value #MAX_PRESENCE_ROOM_SIZE} members do not carry presence. A graceful restart is not a presence change:
 * the users online at the stop ({@link #keepForRestart}) are taken as still online at the next start
 * ({@link #resumeAfterRestart}); those who reconnect within the window are not announced at all, the others are
 * announced offline when it ends. Thread-safe; {@link #close()} stops it.
 */
public final class PresenceService implements PresenceUseCase, AutoCloseable {
    /**
     * Rooms larger than this do not carry presence: when a crowd connects at once, everyone telling everyone
     * is quadratic and would flood every socket's queue.
     */
    public static final int MAX_PRESENCE_ROOM_SIZE = 200;

    private static final System.Logger LOG = System.getLogger(PresenceService.class.getName());

    private final RoomStore rooms;
    private final EventPublisher publisher;
    private final ConnectionDirectory connections;
    private final TimeSource clock;
    private final Duration grace;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("presence-grace").daemon().factory());
    private final ConcurrentHashMap<String, ScheduledFuture<?>> goingOffline = new ConcurrentHashMap<>();
    /** Presence decisions of one user run one at a time ({@link #deciding}); users share these stripes. */
    private final LockStripes userLocks = new LockStripes(64);
    /**
     * Per user announced online, the peers who were online to hear it: the user's offline goes to them too, even
     * when they no longer share a room that carries presence (one of them left it, or it grew past the limit),
     * so that nobody is left showing a user online for good.
     */
    private final ConcurrentHashMap<String, Set<String>> toldOnline = new ConcurrentHashMap<>();
    /** Users online at the last graceful stop who have not reconnected since this start (within the window). */
    private final Set<String> keptFromRestart = ConcurrentHashMap.newKeySet();
    /** Completes once {@link #resumeAfterRestart} has read the store (it never completes exceptionally). */
    private volatile CompletableFuture<Void> restartRead = CompletableFuture.completedFuture(null);
    private final PresenceStore store;

    public PresenceService(RoomStore rooms, PresenceStore store, EventPublisher publisher,
                           ConnectionDirectory connections, TimeSource clock, Duration grace) {
        this.rooms = rooms;
        this.store = store;
        this.publisher = publisher;
        this.connections = connections;
        this.clock = clock;
        this.grace = grace;
    }

    /**
     * At a graceful stop, before the sockets close: takes the users peers may be showing online now — connected,
     * told online to someone, in their grace period (which the stop cuts short), or kept from the restart before
     * and not back yet — and keeps them for {@link #resumeAfterRestart}, which announces offline whoever of them
     * does not come back. They are stored on a platform thread of its own (not queued behind the sockets' writers)
     * so that the stop tells the sockets meanwhile; the returned stage completes once they are stored. A store
     * failure only loses that (the next start announces everyone as it would after a crash).
     */
    public CompletableFuture<Void> keepForRestart() {
        Set<String> shown = new HashSet<>(connections.onlineUsers());
        shown.addAll(toldOnline.keySet());
        shown.addAll(goingOffline.keySet());
        shown.addAll(keptFromRestart);
        Set<String> online = Set.copyOf(shown);
        Instant at = clock.now();
        return CompletableFuture.runAsync(() -> {
            restartRead.join();
            try {
                store.keepOnline(online, at);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not keep presence for the restart: {0}", e.toString());
            }
        }, task -> Thread.ofPlatform().name("presence-keep").start(task));
    }

    /**
     * At start: the users kept at the last graceful stop, if it was less than {@code window} ago (clients reconnect
     * within the spread of {@code reconnect_after_ms}), count as online without an announcement; whoever of them
     * has not come back when the window ends is announced offline. The store is read on a thread of its own while
     * the server starts (its first write is slow); a connection that opens before that read is done waits for it.
     */
    public void resumeAfterRestart(Duration window) {
        restartRead = CompletableFuture.runAsync(() -> readKept(window),
                        task -> Thread.ofPlatform().name("presence-restart").daemon().start(task))
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    LOG.log(System.Logger.Level.WARNING, "could not read the presence kept at the last stop: {0}",
                            cause.toString());
                    return null;
                });
    }

    private void readKept(Duration window) {
        Optional<PresenceStore.Kept> kept = store.takeOnline();
        if (kept.isEmpty() || kept.get().at().plus(window).isBefore(clock.now())) {
            return;
        }
        keptFromRestart.addAll(kept.get().userIds());
        // the window runs from the stop, not from this start
        long left = Math.max(0, Duration.between(clock.now(), kept.get().at().plus(window)).toMillis());
        timer.schedule(this::endRestartWindow, left, TimeUnit.MILLISECONDS);
    }

    private void endRestartWindow() {
        for (String userId : List.copyOf(keptFromRestart)) {
            deciding(userId, () -> {
                if (keptFromRestart.remove(userId) && !connections.isOnline(userId)) {
                    announce(userId, false);
                }
            });
        }
    }

    /**
     * Runs a decision about a user's presence and its announcement while no other one for that user runs: the
     * grace period's end (on the timer's thread) and a new first connection (on the caller's) would otherwise
     * both announce, and peers could get the user's "offline" after the "online" of their return.
     */
    private void deciding(String userId, Runnable decision) {
        userLocks.locked(userId, decision);
    }

    @Override
    public void firstConnectionOpened(String userId) {
        restartRead.join();
        deciding(userId, () -> {
            if (keptFromRestart.remove(userId)) {
                return;
            }
            ScheduledFuture<?> pending = goingOffline.remove(userId);
            if (pending != null) {
                pending.cancel(false); // one that already runs finds itself removed and announces nothing
                return;
            }
            announce(userId, true);
        });
    }

    @Override
    public void lastConnectionClosed(String userId) {
        deciding(userId, () -> {
            AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
            ScheduledFuture<?> task = timer.schedule(() -> deciding(userId, () -> {
                if (goingOffline.remove(userId, self.get()) && !connections.isOnline(userId)) {
                    announce(userId, false);
                }
            }), grace.toMillis(), TimeUnit.MILLISECONDS);
            self.set(task);
            ScheduledFuture<?> previous = goingOffline.put(userId, task);
            if (previous != null) {
                previous.cancel(false);
            }
        });
    }

    private void announce(String userId, boolean online) {
        try {
            // one read however many rooms the user is in: announcements run one at a time, for every user
            Set<String> peers = new LinkedHashSet<>(rooms.peersOf(userId, MAX_PRESENCE_ROOM_SIZE));
            if (online) {
                Set<String> told = new HashSet<>();
                for (String peer : peers) {
                    if (connections.isOnline(peer)) {
                        told.add(peer);
                    }
                }
                if (told.isEmpty()) {
                    toldOnline.remove(userId);
                } else {
                    toldOnline.put(userId, told);
                }
            } else {
                Set<String> told = toldOnline.remove(userId);
                if (told != null) {
                    peers.addAll(told);
                }
            }
            if (!peers.isEmpty()) {
                publisher.publish(peers, new ChatEvent.PresenceUpdate(userId, online, clock.now().getEpochSecond()));
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "presence update failed: {0}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
