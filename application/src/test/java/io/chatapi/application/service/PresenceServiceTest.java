package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PresenceServiceTest {
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final List<Collection<String>> audiences = new CopyOnWriteArrayList<>();
    private final EventPublisher publisher = new EventPublisher() {
        @Override
        public void publish(Collection<String> userIds, ChatEvent event) {
            audiences.add(Set.copyOf(userIds));
        }

        @Override
        public int publishToSettled(String userId, ChatEvent event, Duration minAge) {
            return 0;
        }
    };

    @Test
    void peersOfSmallRoomsHearPresenceButLargeRoomsDoNot() {
        var stores = InMemoryStores.create();
        room(stores, "small", List.of("u", "friend"));
        List<String> crowd = new ArrayList<>(List.of("u"));
        for (int i = 0; i <= PresenceService.MAX_PRESENCE_ROOM_SIZE; i++) {
            crowd.add("fan" + i);
        }
        room(stores, "large", crowd);
        try (var presence = new PresenceService(stores.rooms(), publisher, user -> false, () -> now,
                Duration.ofMillis(10))) {
            presence.firstConnectionOpened("u");
        }
        assertThat(audiences).containsExactly(Set.of("friend"));
    }

    private void room(InMemoryStores stores, String id, List<String> members) {
        Room room = new Room(id, RoomType.GROUP, null, null, 0, now, Handoff.initial(now));
        stores.rooms().createGroup(room, members.stream().map(u -> new Member(id, u, MemberRole.MEMBER, now)).toList());
    }
}
