package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.fake.OnlineUsers;
import io.chatapi.application.port.in.UnsentMessagesUseCase.UnsentMessage;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DueWebhook;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which messages a closed connection never wrote are queued for its user, and how often. */
class UnsentMessagesServiceTest {
    private static final Instant NOW = Instant.parse("2026-04-02T12:00:00Z");
    private static final String ROOM = "room_1";

    private final InMemoryStores stores = InMemoryStores.create();
    private final Set<String> online = ConcurrentHashMap.newKeySet();
    private final AtomicInteger outboxWakes = new AtomicInteger();
    private final OfflineDeliveries offline = new OfflineDeliveries(new OnlineUsers(online),
            new WebhookBotTestDouble(), stores.deliveries(), outboxWakes::incrementAndGet);
    private final UnsentMessagesService unsent = new UnsentMessagesService(stores.rooms(), stores.messages(),
            offline);

    @BeforeEach
    void room() {
        stores.rooms().createGroup(new Room(ROOM, RoomType.GROUP, null, null, 0, NOW, Handoff.initial(NOW)), List.of(
                new Member(ROOM, "alice", MemberRole.MEMBER, NOW), new Member(ROOM, "bob", MemberRole.MEMBER, NOW)));
    }

    @Test
    void aUserWithNoOtherConnectionGetsEachUnsentMessageQueuedOnceInSeqOrderWithItsWebhook() {
        Message first = sent("first");
        Message second = sent("second");

        unsent.unsent("bob", List.of(unsentOf(second), unsentOf(first), unsentOf(second)));

        assertThat(queuedFor("bob")).extracting(PendingDelivery::messageId).containsExactly(first.id(), second.id());
        assertThat(offlineWebhooks()).containsExactly("bob#1", "bob#2");
        assertThat(outboxWakes).hasValue(1);
    }

    @Test
    void aUserWhoReconnectedSinceTheConnectionEndedStillGetsThemQueued() {
        Message message = sent("hello");
        online.add("bob"); // a connection opened after the one that never sent it

        unsent.unsent("bob", List.of(unsentOf(message)));

        assertThat(queuedFor("bob")).extracting(PendingDelivery::messageId).containsExactly(message.id());
    }

    @Test
    void aMessageDeletedMeanwhileIsNotQueued() {
        Message deleted = sent("oops");
        Message kept = sent("kept");
        assertThat(stores.messages().delete(ROOM, deleted.id())).isTrue();

        unsent.unsent("bob", List.of(unsentOf(deleted), unsentOf(kept)));

        assertThat(queuedFor("bob")).extracting(PendingDelivery::messageId).containsExactly(kept.id());
        assertThat(offlineWebhooks()).containsExactly("bob#2");
    }

    @Test
    void aMessageQueuedAlreadyIsQueuedOnceWithOneWebhook() {
        Message message = sent("hello");

        unsent.unsent("bob", List.of(unsentOf(message)));
        unsent.unsent("bob", List.of(unsentOf(message)));

        assertThat(queuedFor("bob")).extracting(PendingDelivery::messageId).containsExactly(message.id());
        assertThat(offlineWebhooks()).containsExactly("bob#1");
    }

    @Test
    void aMessageOfARoomTheUserLeftIsNotQueued() {
        Message message = sent("hello");
        assertThat(stores.rooms().removeMember(ROOM, "bob")).isTrue();

        unsent.unsent("bob", List.of(unsentOf(message)));

        assertThat(queuedFor("bob")).isEmpty();
    }

    /** A message from alice that bob's connection was given live: nothing was queued for him. */
    private Message sent(String content) {
        return stores.messages().append(new MessageDraft("msg_" + content, ROOM, "alice", content, null, null, NOW),
                DeliveryPlan.NONE).message();
    }

    private static UnsentMessage unsentOf(Message message) {
        return new UnsentMessage(message.roomId(), message.id(), message.seq());
    }

    private List<PendingDelivery> queuedFor(String userId) {
        return stores.deliveries().pendingFor(userId);
    }

    private List<String> offlineWebhooks() {
        return stores.deliveries().dueWebhooks(NOW.plusSeconds(1), 100).stream()
                .map(DueWebhook::item).filter(item -> item.kind().equals(OutboxItem.MESSAGE_OFFLINE))
                .map(item -> item.userId() + "#" + item.seq()).toList();
    }
}
