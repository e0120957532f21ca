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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

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

    /**
     * About what a cached member takes beside the characters of its user id: the {@code Member}, its room id,
     * role and time, and its place in the list. A user id counts two bytes a character (up to 1,000 of them).
     */
    private static final int BYTES_PER_MEMBER = 200;
    /** The part of the heap the member lists may take, and the rooms' text another such part. */
    private static final int HEAP_SHARE = 8;

    /** Member changes hold a room's stripe exclusively, {@link #holdMembers} shared; rooms share stripes. */
    private static final int MEMBER_LOCK_STRIPES = 256;

    private final RoomStore store;
    private final StampedLock[] memberLocks = new StampedLock[MEMBER_LOCK_STRIPES];
    /**
     * Member lists, weighed by the bytes their members take (user ids included: a list of long ids weighs more
     * than one of short ones), and rooms, by the characters of their names and metadata: so that users creating
     * many large rooms cannot fill the heap with them.
     */
    private final Kept<List<Member>> members;
    private final Kept<Room> rooms;
    /** Bumped by every change, so a list loaded while a change ran is not kept. */
    private final AtomicLong changes = new AtomicLong();

    public CachingRoomStore(RoomStore store) {
        this(store, Math.max(10_000L * BYTES_PER_MEMBER, heapShare()), Math.max(100_000, heapShare() / 2));
    }

    CachingRoomStore(RoomStore store, long maxMemberBytesKept, long maxRoomCharsKept) {
        this.store = store;
        this.members = new Kept<>(CachingRoomStore::bytes, maxMemberBytesKept);
        this.rooms = new Kept<>(CachingRoomStore::chars, maxRoomCharsKept);
        for (int i = 0; i < memberLocks.length; i++) {
            memberLocks[i] = new StampedLock();
        }
    }

    /** The bytes each of the two caches may take: a part of the heap. */
    private static long heapShare() {
        return Runtime.getRuntime().maxMemory() / HEAP_SHARE;
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
        loaded.filter(CachingRoomStore::small).ifPresent(room -> rooms.keep(roomId, room, () -> changedSince(before)));
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
        members.keep(roomId, loaded, () -> changedSince(before));
        return loaded;
    }

    /** Whether a change was made since {@code changesBefore}: a value read before may predate it. */
    private boolean changedSince(long changesBefore) {
        return changes.get() != changesBefore;
    }

    /**
     * Values read from the store, by room, bounded by their number ({@link #MAX_ROOMS}) and by their weight in all:
     * one that would take the cache past either bound first drops an eighth of the rooms kept, each eighth in turn
     * (so that every room is dropped once in eight such times, however much it is used), until it fits; one heavier
     * than the bound alone is read each time. Reads take no lock; changes take this one's.
     */
    static final class Kept<V> {
        private static final int SLICES = 8;

        private final ConcurrentHashMap<String, V> values = new ConcurrentHashMap<>();
        private final ToLongFunction<V> weight;
        private final long maxWeight;
        private long weightKept;
        /** The eighth of the rooms to drop next. */
        private int nextSlice;

        Kept(ToLongFunction<V> weight, long maxWeight) {
            this.weight = weight;
            this.maxWeight = maxWeight;
        }

        V get(String roomId) {
            return values.get(roomId);
        }

        /**
         * Keeps the value unless {@code changedMeanwhile} says a change was made since it was read. It is asked
         * before the value is visible, under this lock: a change counts itself before it {@link #drop drops} the
         * room, so either this sees the change or the drop, waiting for this lock, removes the value before the
         * change returns. A reader never gets a value older than a change that has returned.
         */
        synchronized void keep(String roomId, V value, BooleanSupplier changedMeanwhile) {
            long weighs = weight.applyAsLong(value);
            if (weighs > maxWeight || changedMeanwhile.getAsBoolean()) {
                return;
            }
            drop(roomId);
            for (int i = 0; i < SLICES && !fits(weighs); i++) {
                dropSlice(nextSlice);
                nextSlice = (nextSlice + 1) % SLICES;
            }
            values.put(roomId, value);
            weightKept += weighs;
        }

        private boolean fits(long weighs) {
            return values.size() < MAX_ROOMS && weightKept + weighs <= maxWeight;
        }

        private void dropSlice(int slice) {
            values.entrySet().removeIf(entry -> {
                if (slice(entry.getKey()) != slice) {
                    return false;
                }
                weightKept -= weight.applyAsLong(entry.getValue());
                return true;
            });
        }

        /** The eighth a room belongs to: the top three bits of its id's hash, spread by a Fibonacci multiplier. */
        private static int slice(String roomId) {
            return (roomId.hashCode() * 0x9E3779B9) >>> 29;
        }

        synchronized int size() {
            return values.size();
        }

        synchronized long weightKept() {
            return weightKept;
        }

        synchronized void drop(String roomId) {
            V dropped = values.remove(roomId);
            if (dropped != null) {
                weightKept -= weight.applyAsLong(dropped);
            }
        }

        synchronized void clear() {
            values.clear();
            weightKept = 0;
        }
    }

    private static boolean small(Room room) {
        return chars(room) <= MAX_KEPT_TEXT_CHARS;
    }

    /** About what a member list takes in memory (see {@link #BYTES_PER_MEMBER}). */
    static long bytes(List<Member> members) {
        long bytes = 0;
        for (Member member : members) {
            bytes += BYTES_PER_MEMBER + 2L * member.userId().length();
        }
        return bytes;
    }

    private static int chars(Room room) {
        return length(room.name()) + length(room.metadata());
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
        dropQueued(roomId, userId); // before the members are held: a long queue takes many writes
        return changingMembers(roomId, () -> store.removeMember(roomId, userId));
    }

    @Override
    public boolean removeKeepingOut(String roomId, String userId) {
        dropQueued(roomId, userId);
        return changingMembers(roomId, () -> store.removeKeepingOut(roomId, userId));
    }

    @Override
    public void dropQueued(String roomId, String userId) {
        store.dropQueued(roomId, userId);
    }

    @Override
    public boolean keptOut(String roomId, String userId) {
        return store.keptOut(roomId, userId);
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
        members.drop(roomId);
        rooms.drop(roomId);
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

    /** The store's own answer, one read: the rooms of a user in many would each be read and evict the cached. */
    @Override
    public Set<String> peersOf(String userId, int maxRoomSize) {
        return store.peersOf(userId, maxRoomSize);
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
