package io.chatapi.application.service;

import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.RoomCursor;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.Room;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Supplier;

/**
 * Keeps each room's member list in memory, so the hot paths (every send, typing, ack) read it without a
 * database round trip. Every membership change in this process goes through this decorator and drops the
 * room's entry; {@link #forgetAll()} covers changes made behind its back (a deleted bot leaves its rooms).
 * {@link #find} always reads the store, since a room's {@code last_seq} moves with every message;
 * {@link #findForChecks} answers from memory for the send path and the checks that do not read {@code last_seq}.
 * Thread-safe.
 */
public final class CachingRoomStore implements RoomStore {
    private static final int MAX_ROOMS = 50_000;
    /**
     * Rooms whose name and metadata together are longer (up to 66,536 UTF-16 code units) are read from the store
     * each time: 50,000 of them would hold gigabytes.
     */
    static final int MAX_KEPT_TEXT_CHARS = 4_096;

    /** Member changes hold a room's stripe exclusively, {@link #holdMembers} shared; rooms share stripes. */
    private static final int MEMBER_LOCK_STRIPES = 256;

    private final RoomStore store;
    private final StampedLock[] memberLocks = new StampedLock[MEMBER_LOCK_STRIPES];
    private final ConcurrentHashMap<String, List<Member>> members = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    /** Bumped by every change, so a list loaded while a change ran is not kept. */
    private final AtomicLong changes = new AtomicLong();

    public CachingRoomStore(RoomStore store) {
        this.store = store;
        for (int i = 0; i < memberLocks.length; i++) {
            memberLocks[i] = new StampedLock();
        }
    }

    /** A hold on a room's member list, released by {@link #close()}. */
    public interface MembersHold extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Keeps the room's member list as it is until the hold is closed: adding or removing a member of the room
     * waits for it, other holds do not. A message stored and published under a hold reaches exactly those who
     * were members when it was stored. The holder must not change the room's members itself.
     */
    public MembersHold holdMembers(String roomId) {
        StampedLock lock = stripe(roomId);
        long stamp = lock.readLock();
        return () -> lock.unlockRead(stamp);
    }

    private StampedLock stripe(String roomId) {
        return memberLocks[Math.floorMod(roomId.hashCode(), memberLocks.length)];
    }

    /** Runs a change of the room's members while no {@link #holdMembers hold} is open, then forgets the room. */
    private <T> T changingMembers(String roomId, Supplier<T> change) {
        StampedLock lock = stripe(roomId);
        long stamp = lock.writeLock();
        try {
            return change.get();
        } finally {
            forget(roomId);
            lock.unlockWrite(stamp);
        }
    }

    /** Drops every cached member list and room. */
    public void forgetAll() {
        changes.incrementAndGet();
        members.clear();
        rooms.clear();
    }

    /** From memory when possible: the send path and every check of a room's existence and state. */
    @Override
    public Optional<Room> findForChecks(String roomId) {
        Room cached = rooms.get(roomId);
        if (cached != null) {
            return Optional.of(cached);
        }
        long before = changes.get();
        Optional<Room> loaded = store.find(roomId);
        loaded.filter(CachingRoomStore::small).ifPresent(room -> keep(rooms, roomId, room, before));
        return loaded;
    }

    @Override
    public List<Member> members(String roomId) {
        List<Member> cached = members.get(roomId);
        if (cached != null) {
            return cached;
        }
        long before = changes.get();
        List<Member> loaded = List.copyOf(store.members(roomId));
        keep(members, roomId, loaded, before);
        return loaded;
    }

    /**
     * Caches a value read from the store (emptying a full cache first), unless a change was made since
     * {@code changesBefore}: the value may then predate it.
     */
    private <V> void keep(Map<String, V> cache, String roomId, V value, long changesBefore) {
        if (cache.size() >= MAX_ROOMS) {
            cache.clear();
        }
        cache.put(roomId, value);
        if (changes.get() != changesBefore) {
            cache.remove(roomId);
        }
    }

    private static boolean small(Room room) {
        return length(room.name()) + length(room.metadata()) <= MAX_KEPT_TEXT_CHARS;
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    @Override
    public Optional<Member> member(String roomId, String userId) {
        for (Member member : members(roomId)) {
            if (member.userId().equals(userId)) {
                return Optional.of(member);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean addMember(Member member, int maxMembers) {
        return changingMembers(member.roomId(), () -> store.addMember(member, maxMembers));
    }

    @Override
    public boolean removeMember(String roomId, String userId) {
        return changingMembers(roomId, () -> store.removeMember(roomId, userId));
    }

    @Override
    public Room createGroup(Room room, List<Member> initial) {
        try {
            return store.createGroup(room, initial);
        } finally {
            forget(room.id());
        }
    }

    private void forget(String roomId) {
        changes.incrementAndGet();
        members.remove(roomId);
        rooms.remove(roomId);
    }

    @Override
    public Room createOrGetDm(String dmKey, Room room, List<Member> initial) {
        Room stored = store.createOrGetDm(dmKey, room, initial);
        forget(stored.id());
        return stored;
    }

    @Override
    public Optional<String> dmKey(String roomId) {
        return store.dmKey(roomId);
    }

    @Override
    public Optional<Room> find(String roomId) {
        return store.find(roomId);
    }

    @Override
    public List<Room> roomsOf(String userId, RoomCursor after, int limit) {
        return store.roomsOf(userId, after, limit);
    }

    @Override
    public List<String> roomIdsOf(String userId) {
        return store.roomIdsOf(userId);
    }

    @Override
    public Optional<Room> update(String roomId, String name, String metadata) {
        try {
            return store.update(roomId, name, metadata);
        } finally {
            forget(roomId);
        }
    }

    @Override
    public Appended handOver(Handoff handoff, Member agent, MessageDraft marker, DeliveryPlan plan) {
        return changingMembers(marker.roomId(), () -> store.handOver(handoff, agent, marker, plan));
    }

    @Override
    public Optional<Room> setHandoff(String roomId, Handoff handoff) {
        try {
            return store.setHandoff(roomId, handoff);
        } finally {
            forget(roomId);
        }
    }
}
