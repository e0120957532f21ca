package io.chatapi.application.fake;

import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.Bot;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Member;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state the in-memory stores share (rooms, messages, queues, bots), guarded by this object's monitor.
 * {@link #unavailable(boolean)} makes every store call fail as a broken database would.
 */
public final class InMemoryData {
    /** The dead-letter kind of a socket re-delivery that gave up. */
    public static final String OFFLINE = "offline";
    /** The dead-letter kind of a webhook delivery that gave up. */
    public static final String WEBHOOK = "webhook";

    final Map<String, Room> rooms = new HashMap<>();
    final Map<String, String> dmRooms = new HashMap<>();
    final Map<String, List<Member>> members = new HashMap<>();
    final Map<String, TreeMap<Long, Message>> messages = new HashMap<>();
    final TreeMap<Long, PendingDelivery> pending = new TreeMap<>();
    /** Read positions by user, then room. */
    final Map<String, Map<String, Long>> readPositions = new HashMap<>();
    final TreeMap<Long, OutboxEntry> outbox = new TreeMap<>();
    final TreeMap<Long, DeadLetter> deadLetters = new TreeMap<>();
    final Map<String, Bot> bots = new LinkedHashMap<>();
    /** What is left of deleted messages sent with a client id, by room, sender and client id. */
    final Map<List<String>, Message> deletedClientIds = new HashMap<>();
    /** Users kept out of a direct-message room, as (room, user). */
    final Set<List<String>> keptOut = new HashSet<>();
    private long nextId = 1;
    private volatile boolean unavailable;

    /** When true, every store call throws {@link StoreUnavailableException} and {@code writable()} is false. */
    public void unavailable(boolean value) {
        unavailable = value;
    }

    boolean isUnavailable() {
        return unavailable;
    }

    void check() {
        if (unavailable) {
            throw new StoreUnavailableException("the in-memory store was made unavailable", null);
        }
    }

    long nextId() {
        return nextId++;
    }

    List<Member> membersOf(String roomId) {
        return members.computeIfAbsent(roomId, id -> new ArrayList<>());
    }

    void queueOffline(String userId, Message message) {
        long id = nextId();
        pending.put(id, new PendingDelivery(id, userId, message.roomId(), message.id(), message.seq(), 0,
                message.createdAt()));
    }

    void queueWebhook(OutboxItem item, Instant createdAt, Instant dueAt) {
        long id = nextId();
        outbox.put(id, new OutboxEntry(id, item, 0, dueAt, createdAt));
    }

    /** A webhook outbox row. */
    record OutboxEntry(long id, OutboxItem item, int attempts, Instant nextAttemptAt, Instant createdAt) {
    }
}
