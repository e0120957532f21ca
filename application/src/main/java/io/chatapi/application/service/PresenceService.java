package io.chatapi.application.service;

import io.chatapi.application.port.in.PresenceUseCase;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.ConnectionDirectory;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.domain.Member;
import io.chatapi.domain.Room;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Presence for the users who share a room with someone: online at the first connection, offline a grace
 * period after the last one closes unless the user came back. Rooms of more than
 * {@value #MAX_PRESENCE_ROOM_SIZE} members do not carry presence. Thread-safe; {@link #close()} stops it.
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

    public PresenceService(RoomStore rooms, EventPublisher publisher, ConnectionDirectory connections,
                           TimeSource clock, Duration grace) {
        this.rooms = rooms;
        this.publisher = publisher;
        this.connections = connections;
        this.clock = clock;
        this.grace = grace;
    }

    @Override
    public void firstConnectionOpened(String userId) {
        ScheduledFuture<?> pending = goingOffline.remove(userId);
        if (pending != null && pending.cancel(false)) {
            return;
        }
        announce(userId, true);
    }

    @Override
    public void lastConnectionClosed(String userId) {
        ScheduledFuture<?> task = timer.schedule(() -> {
            goingOffline.remove(userId);
            if (!connections.isOnline(userId)) {
                announce(userId, false);
            }
        }, grace.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = goingOffline.put(userId, task);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    private void announce(String userId, boolean online) {
        try {
            Set<String> peers = new LinkedHashSet<>();
            for (Room room : rooms.roomsOf(userId)) {
                var members = rooms.members(room.id());
                if (members.size() > MAX_PRESENCE_ROOM_SIZE) {
                    continue;
                }
                for (Member member : members) {
                    peers.add(member.userId());
                }
            }
            peers.remove(userId);
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
