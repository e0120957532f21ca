package io.chatapi.application.port.out;

import io.chatapi.domain.ChatException;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.Room;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Rooms and their members. Writes are durable (committed) when a method returns; every method blocks
 * the caller until then and may throw {@link StoreUnavailableException}. Thread-safe.
 */
public interface RoomStore {
    /** Stores a group room with its members. */
    Room createGroup(Room room, List<Member> members);

    /**
     * Returns the direct-message room of the pair behind {@code dmKey}, creating it with {@code room} and
     * {@code members} when there is none; when it exists, adds back those of {@code members} who are no longer
     * in it (one of the pair who left), unless one of them is kept out ({@link #removeKeepingOut}): then it adds
     * nobody. Atomic, so two concurrent calls get the same room.
     */
    Room createOrGetDm(String dmKey, Room room, List<Member> members);

    /** The key a direct-message room was created with; empty for a group or an unknown room. */
    Optional<String> dmKey(String roomId);

    Optional<Room> find(String roomId);

    /**
     * The room as far as checks need it (that it exists, its type, metadata and handoff state), which a store
     * may answer from memory: its {@code lastSeq} may be behind. By default the same as {@link #find}.
     */
    default Optional<Room> findForChecks(String roomId) {
        return find(roomId);
    }

    /**
     * A page of the rooms the user belongs to: at most {@code limit} of them, those that come right after
     * {@code after} in the order {@link RoomCursor} describes; fewer than {@code limit} only when no more follow.
     * Each call is a read of its own, so a caller may take its time between pages: a room created or joined
     * meanwhile is listed when it comes after the page already read, and no room is listed twice.
     */
    List<Room> roomsOf(String userId, RoomCursor after, int limit);

    /**
     * The ids of the rooms the user belongs to, in the order {@link RoomCursor} describes: for who needs to know
     * which rooms, not what they hold (a room's name and metadata may be tens of kilobytes).
     */
    List<String> roomIdsOf(String userId);

    /**
     * The users who share with {@code userId} a room of at most {@code maxRoomSize} members, not {@code userId}
     * itself: whom a change of the user's presence is told. A store that can should answer it in one read, for a
     * user may be in a hundred thousand rooms; this default reads each room's members.
     */
    default Set<String> peersOf(String userId, int maxRoomSize) {
        Set<String> peers = new HashSet<>();
        for (String roomId : roomIdsOf(userId)) {
            List<Member> members = members(roomId);
            if (members.size() <= maxRoomSize) {
                members.forEach(member -> peers.add(member.userId()));
            }
        }
        peers.remove(userId);
        return peers;
    }

    /** Sets name and/or metadata; a null argument leaves the field unchanged. Empty when no such room. */
    Optional<Room> update(String roomId, String name, String metadata);

    /** Replaces the handoff state. Empty when no such room. */
    Optional<Room> setHandoff(String roomId, Handoff handoff);

    /** Members ordered by join time. */
    List<Member> members(String roomId);

    Optional<Member> member(String roomId, String userId);

    /** Adds a member to a room of any size; false when already a member. */
    default boolean addMember(Member member) {
        return addMember(member, Integer.MAX_VALUE);
    }

    /**
     * Adds a member; false when already a member. {@link io.chatapi.domain.ChatException} {@code conflict} when the
     * room has {@code maxMembers} members already: the count and the insert are one step, so concurrent adds
     * never take a room past it.
     */
    boolean addMember(Member member, int maxMembers);

    /** The error of an add to a room that has {@code maxMembers} members already. */
    static ChatException full(int maxMembers) {
        return ChatException.conflict("the room is full: a room holds at most " + maxMembers + " members");
    }

    /**
     * Hands the room over in one transaction: adds {@code agent} as a member when it is given and not one yet,
     * replaces the handoff state, and appends the handoff's marker message with what {@code plan} queues for
     * it (as {@link MessageStore#append} does). None of it is stored when any part fails.
     *
     * @param agent the agent who takes the room, or null
     * @throws io.chatapi.domain.ChatException not_found when the room does not exist
     */
    Appended handOver(Handoff handoff, Member agent, MessageDraft marker, DeliveryPlan plan);

    /**
     * Removes a member, and in the same transaction what was queued for them in that room (a user who left
     * is owed nothing more from it); false when not a member.
     */
    boolean removeMember(String roomId, String userId);

    /**
     * Removes one of a direct-message room's pair as {@link #removeMember} does, and keeps them out: {@link
     * #createOrGetDm} no longer adds them back, until {@link #addMember} does (which ends that).
     */
    boolean removeKeepingOut(String roomId, String userId);

    /**
     * Ahead of a removal ({@link #removeMember}, {@link #removeKeepingOut}): deletes what is queued for the user in
     * the room while they are still a member, in as many writes as a long queue takes, so that the removal's own
     * transaction, during which the room's members are held, stays short; the removal deletes what was queued
     * since. A stop halfway leaves them a member with part of that queue gone (messages stay in the room's
     * history). Nothing by default: the removal deletes the whole queue.
     */
    default void dropQueued(String roomId, String userId) {
    }

    /** Whether {@code userId} was removed from the room by {@link #removeKeepingOut} and not added back since. */
    boolean keptOut(String roomId, String userId);
}
