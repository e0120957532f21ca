package io.chatapi.application.service;

import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.RoomCursor;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.Room;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Rooms and members in maps, for the bot service tests. */
final class RoomStoreBotTestDouble implements RoomStore {
    private final Map<String, Room> rooms = new HashMap<>();
    private final Map<String, String> dms = new HashMap<>();
    private final Map<String, List<Member>> members = new HashMap<>();

    @Override
    public synchronized Room createGroup(Room room, List<Member> list) {
        rooms.put(room.id(), room);
        members.put(room.id(), new ArrayList<>(list));
        return room;
    }

    @Override
    public synchronized Room createOrGetDm(String dmKey, Room room, List<Member> list) {
        String existing = dms.get(dmKey);
        if (existing != null) {
            for (Member member : list) {
                if (member(existing, member.userId()).isEmpty()) {
                    members.get(existing).add(new Member(existing, member.userId(), member.role(), member.joinedAt()));
                }
            }
            return rooms.get(existing);
        }
        dms.put(dmKey, room.id());
        return createGroup(room, list);
    }

    @Override
    public synchronized Optional<String> dmKey(String roomId) {
        return dms.entrySet().stream().filter(e -> e.getValue().equals(roomId)).map(Map.Entry::getKey).findFirst();
    }

    @Override
    public synchronized Optional<Room> find(String roomId) {
        return Optional.ofNullable(rooms.get(roomId));
    }

    @Override
    public synchronized List<Room> roomsOf(String userId, RoomCursor after, int limit) {
        return rooms.values().stream().filter(r -> member(r.id(), userId).isPresent())
                .sorted(Comparator.comparing(Room::createdAt).thenComparing(Room::id).reversed())
                .filter(after::precedes).limit(limit).toList();
    }

    @Override
    public synchronized List<String> roomIdsOf(String userId) {
        return roomsOf(userId, RoomCursor.START, Integer.MAX_VALUE).stream().map(Room::id).toList();
    }

    @Override
    public synchronized Optional<Room> update(String roomId, String name, String metadata) {
        return find(roomId).map(r -> {
            Room next = new Room(r.id(), r.type(), name == null ? r.name() : name,
                    metadata == null ? r.metadata() : metadata, r.lastSeq(), r.createdAt(), r.handoff());
            rooms.put(roomId, next);
            return next;
        });
    }

    @Override
    public synchronized Optional<Room> setHandoff(String roomId, Handoff handoff) {
        return find(roomId).map(r -> {
            Room next = r.withHandoff(handoff);
            rooms.put(roomId, next);
            return next;
        });
    }

    @Override
    public synchronized List<Member> members(String roomId) {
        return List.copyOf(members.getOrDefault(roomId, List.of()));
    }

    @Override
    public synchronized Optional<Member> member(String roomId, String userId) {
        return members.getOrDefault(roomId, List.of()).stream().filter(m -> m.userId().equals(userId)).findFirst();
    }

    @Override
    public Appended handOver(Handoff handoff, Member agent, MessageDraft marker, DeliveryPlan plan) {
        throw new UnsupportedOperationException("handoffs are tested against the stores of InMemoryStores");
    }

    @Override
    public synchronized boolean addMember(Member member, int maxMembers) {
        if (member(member.roomId(), member.userId()).isPresent()) {
            return false;
        }
        if (members(member.roomId()).size() >= maxMembers) {
            throw RoomStore.full(maxMembers);
        }
        members.computeIfAbsent(member.roomId(), k -> new ArrayList<>()).add(member);
        return true;
    }

    @Override
    public synchronized boolean removeMember(String roomId, String userId) {
        return members.getOrDefault(roomId, new ArrayList<>()).removeIf(m -> m.userId().equals(userId));
    }

    @Override
    public synchronized boolean removeKeepingOut(String roomId, String userId) {
        return removeMember(roomId, userId);
    }

    @Override
    public boolean keptOut(String roomId, String userId) {
        return false;
    }
}
