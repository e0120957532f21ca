package io.chatapi.application.fake;

import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.RoomCursor;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.Room;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Rooms and members in memory; same semantics as the SQLite store. Thread-safe. */
public final class InMemoryRoomStore implements RoomStore {
    private final InMemoryData data;

    public InMemoryRoomStore(InMemoryData data) {
        this.data = data;
    }

    @Override
    public Room createGroup(Room room, List<Member> members) {
        synchronized (data) {
            data.check();
            insert(room, members);
            return room;
        }
    }

    @Override
    public Room createOrGetDm(String dmKey, Room room, List<Member> members) {
        synchronized (data) {
            data.check();
            String existing = data.dmRooms.get(dmKey);
            if (existing != null) {
                if (members.stream().noneMatch(member -> data.keptOut.contains(List.of(existing, member.userId())))) {
                    members.forEach(member -> add(existing, member));
                }
                return data.rooms.get(existing);
            }
            insert(room, members);
            data.dmRooms.put(dmKey, room.id());
            return room;
        }
    }

    @Override
    public Optional<String> dmKey(String roomId) {
        synchronized (data) {
            data.check();
            return data.dmRooms.entrySet().stream().filter(e -> e.getValue().equals(roomId))
                    .map(java.util.Map.Entry::getKey).findFirst();
        }
    }

    @Override
    public Optional<Room> find(String roomId) {
        synchronized (data) {
            data.check();
            return Optional.ofNullable(data.rooms.get(roomId));
        }
    }

    @Override
    public List<Room> roomsOf(String userId, RoomCursor after, int limit) {
        synchronized (data) {
            data.check();
            return roomsOf(userId).stream().filter(after::precedes).limit(limit).toList();
        }
    }

    @Override
    public List<String> roomIdsOf(String userId) {
        synchronized (data) {
            data.check();
            return roomsOf(userId).stream().map(Room::id).toList();
        }
    }

    private List<Room> roomsOf(String userId) {
        return data.rooms.values().stream()
                .filter(room -> data.membersOf(room.id()).stream().anyMatch(m -> m.userId().equals(userId)))
                .sorted(Comparator.comparing(Room::createdAt).thenComparing(Room::id).reversed())
                .toList();
    }

    @Override
    public Optional<Room> update(String roomId, String name, String metadata) {
        synchronized (data) {
            data.check();
            return Optional.ofNullable(data.rooms.computeIfPresent(roomId, (id, room) -> new Room(id, room.type(),
                    name != null ? name : room.name(), metadata != null ? metadata : room.metadata(), room.lastSeq(),
                    room.createdAt(), room.handoff())));
        }
    }

    @Override
    public Optional<Room> setHandoff(String roomId, Handoff handoff) {
        synchronized (data) {
            data.check();
            return Optional.ofNullable(data.rooms.computeIfPresent(roomId, (id, room) -> room.withHandoff(handoff)));
        }
    }

    @Override
    public Appended handOver(Handoff handoff, Member agent, MessageDraft marker, DeliveryPlan plan) {
        synchronized (data) {
            data.check();
            String roomId = marker.roomId();
            Room room = data.rooms.get(roomId);
            if (room == null) {
                throw ChatException.notFound("room not found");
            }
            data.rooms.put(roomId, room.withHandoff(handoff));
            boolean added = agent != null && add(roomId, agent);
            try {
                return new InMemoryMessageStore(data).append(marker, plan);
            } catch (RuntimeException e) {
                data.rooms.put(roomId, room); // one transaction: none of it stays
                if (added) {
                    data.membersOf(roomId).removeIf(m -> m.userId().equals(agent.userId()));
                }
                throw e;
            }
        }
    }

    @Override
    public List<Member> members(String roomId) {
        synchronized (data) {
            data.check();
            return data.membersOf(roomId).stream().sorted(Comparator.comparing(Member::joinedAt)).toList();
        }
    }

    @Override
    public Optional<Member> member(String roomId, String userId) {
        synchronized (data) {
            data.check();
            return data.membersOf(roomId).stream().filter(m -> m.userId().equals(userId)).findFirst();
        }
    }

    /** Adds a member; false when already a member; {@link ChatException} not_found when the room does not exist. */
    @Override
    public boolean addMember(Member member, int maxMembers) {
        synchronized (data) {
            data.check();
            if (!data.rooms.containsKey(member.roomId())) {
                throw ChatException.notFound("room not found");
            }
            List<Member> list = data.membersOf(member.roomId());
            if (list.size() >= maxMembers && list.stream().noneMatch(m -> m.userId().equals(member.userId()))) {
                throw RoomStore.full(maxMembers);
            }
            data.keptOut.remove(List.of(member.roomId(), member.userId()));
            return add(member.roomId(), member);
        }
    }

    @Override
    public boolean removeKeepingOut(String roomId, String userId) {
        synchronized (data) {
            boolean removed = removeMember(roomId, userId);
            if (removed) {
                data.keptOut.add(List.of(roomId, userId));
            }
            return removed;
        }
    }

    @Override
    public boolean keptOut(String roomId, String userId) {
        synchronized (data) {
            data.check();
            return data.keptOut.contains(List.of(roomId, userId));
        }
    }

    @Override
    public boolean removeMember(String roomId, String userId) {
        synchronized (data) {
            data.check();
            data.pending.values().removeIf(p -> p.userId().equals(userId) && p.roomId().equals(roomId));
            return data.membersOf(roomId).removeIf(m -> m.userId().equals(userId));
        }
    }

    private void insert(Room room, List<Member> members) {
        if (data.rooms.putIfAbsent(room.id(), room) != null) {
            throw new IllegalStateException("room id already used: " + room.id());
        }
        members.forEach(member -> add(room.id(), member));
    }

    private boolean add(String roomId, Member member) {
        List<Member> list = data.membersOf(roomId);
        if (list.stream().anyMatch(m -> m.userId().equals(member.userId()))) {
            return false;
        }
        return list.add(new Member(roomId, member.userId(), member.role(), member.joinedAt()));
    }
}
