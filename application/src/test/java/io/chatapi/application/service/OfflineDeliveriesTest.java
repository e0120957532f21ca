package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.fake.OnlineUsers;
import io.chatapi.application.port.in.SendMessageUseCase.SendMessage;
import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.DueWebhook;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.PendingDelivery;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who a new message is queued for when members' connections close while it is stored and published. */
class OfflineDeliveriesTest {
    private static final Instant NOW = Instant.parse("2026-04-02T12:00:00Z");
    private static final String ROOM = "room_1";
    private static final Principal ALICE = new Principal("alice", Role.USER);

    private final InMemoryStores stores = InMemoryStores.create();
    private final Set<String> online = ConcurrentHashMap.newKeySet();
    private final AtomicInteger lateWrites = new AtomicInteger();
    private final HookedMessages messages = new HookedMessages(stores.messages());
    private final CachingRoomStore rooms = new CachingRoomStore(stores.rooms());
    /** Runs for every event published to the room's members, before the plan checks who is still online. */
    private volatile Consumer<ChatEvent> onPublish = event -> { };
    private final EventPublisher publisher = new EventPublisher() {
        @Override
        public void publish(Collection<String> userIds, ChatEvent event) {
            onPublish.accept(event);
        }

        @Override
        public int publishToSettled(String userId, ChatEvent event, Duration minAge, boolean waitForAll) {
            return 0;
        }
    };
    private final WebhookBotTestDouble webhook = new WebhookBotTestDouble();
    private final OfflineDeliveries offline = new OfflineDeliveries(new OnlineUsers(online), webhook,
            new CountingDeliveries(), () -> { });
    private final OrderedRoomEvents ordered = new OrderedRoomEvents(publisher, rooms);
    private final SendMessageService sends = new SendMessageService(rooms, messages, offline, ordered,
            new RateLimiter(100, 100, () -> NOW), new HandoffService(rooms, offline, ordered, webhook, () -> NOW, 100,
                    UserLimit.none()),
            new BotRepliesTestDouble(), () -> NOW, new ChatSettings(16_000, 100, 100, 500, 5, 8,
            Duration.ofSeconds(1), Duration.ofSeconds(5), false, 1_000), new ServerMetrics());

    @BeforeEach
    void room() {
        stores.rooms().createGroup(new Room(ROOM, RoomType.GROUP, null, null, 0, NOW, Handoff.initial(NOW)), List.of(
                new Member(ROOM, "alice", MemberRole.MEMBER, NOW), new Member(ROOM, "bob", MemberRole.MEMBER, NOW),
                new Member(ROOM, "carol", MemberRole.MEMBER, NOW)));
        online.addAll(Set.of("alice", "bob", "carol"));
    }

    @Test
    void aMemberWhoseConnectionClosesWhileTheSendWaitsForTheStoreIsQueuedByItsTransaction() {
        messages.beforeAppend = () -> online.remove("bob");

        Message sent = send("during");

        assertThat(queuedFor("bob")).extracting(PendingDelivery::seq).containsExactly(sent.seq());
        assertThat(queuedFor("carol")).isEmpty();
        assertThat(offlineWebhooks()).containsExactly("bob");
        assertThat(lateWrites).as("no write beyond the message's own").hasValue(0);
    }

    @Test
    void aMemberWhoseConnectionClosesBetweenTheCommitAndThePublishingIsQueuedBeforeTheSenderIsAnswered() {
        messages.afterAppend = () -> online.remove("bob");

        Message sent = send("during");

        assertThat(queuedFor("bob")).extracting(PendingDelivery::seq).containsExactly(sent.seq());
        assertThat(queuedFor("carol")).isEmpty();
        assertThat(offlineWebhooks()).containsExactly("bob");
        assertThat(lateWrites).as("one more write").hasValue(1);
    }

    @Test
    void aMemberQueuedByTheTransactionIsNotQueuedAgainWhenThePublishingFindsThemOffline() {
        online.remove("bob");
        messages.afterAppend = () -> online.remove("carol");

        Message sent = send("hello");

        assertThat(queuedFor("bob")).extracting(PendingDelivery::seq).containsExactly(sent.seq());
        assertThat(queuedFor("carol")).extracting(PendingDelivery::seq).containsExactly(sent.seq());
        assertThat(offlineWebhooks()).containsExactlyInAnyOrder("bob", "carol");
    }

    @Test
    void membersWhoStayConnectedCostNoWriteBeyondTheMessage() {
        send("hello");

        assertThat(queuedFor("bob")).isEmpty();
        assertThat(queuedFor("carol")).isEmpty();
        assertThat(lateWrites).hasValue(0);
    }

    @Test
    void aMemberWhoseConnectionClosesAsAHandoffMarkerIsPublishedIsQueuedForTheMarker() {
        stores.rooms().createGroup(new Room("room_bot", RoomType.GROUP, null, null, 0, NOW, Handoff.initial(NOW)),
                List.of(new Member("room_bot", "agent", MemberRole.AGENT, NOW),
                        new Member("room_bot", "bob", MemberRole.MEMBER, NOW),
                        new Member("room_bot", "bot_1", MemberRole.BOT, NOW)));
        onPublish = event -> {
            if (event instanceof ChatEvent.RoomHandoff) {
                online.remove("bob");
            }
        };

        Message sent = sends.send(new Principal("agent", Role.AGENT), new SendMessage("room_bot", "I'm here", null,
                null)).message();

        assertThat(queuedFor("bob")).as("the marker, then the agent's message").extracting(PendingDelivery::seq)
                .containsExactly(sent.seq() - 1, sent.seq());
        assertThat(lateWrites).as("the marker's").hasValue(1);
    }

    @Test
    void aMemberFoundOfflineWhenTheEventIsPublishedAfterTheSenderWasAnsweredIsQueuedAllTheSame() throws Exception {
        Room room = rooms.find(ROOM).orElseThrow();
        OfflinePlan plan = offline.planFor(room, rooms.members(ROOM), "alice");
        Message stored = messages.append(draft("late"), plan).message();
        offline.committed(plan);
        online.remove("bob");

        plan.published(stored); // on the thread that published an earlier seq, after the sender's call returned

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (queuedFor("bob").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(queuedFor("bob")).extracting(PendingDelivery::seq).containsExactly(stored.seq());
        assertThat(queuedFor("carol")).isEmpty();
    }

    private Message send(String content) {
        Appended appended = sends.send(ALICE, new SendMessage(ROOM, content, null, null));
        assertThat(appended.duplicate()).isFalse();
        return appended.message();
    }

    private static MessageDraft draft(String content) {
        return new MessageDraft("msg_" + content, ROOM, "alice", content, null, null, NOW);
    }

    private List<PendingDelivery> queuedFor(String userId) {
        return stores.deliveries().pendingFor(userId);
    }

    private List<String> offlineWebhooks() {
        return stores.deliveries().dueWebhooks(NOW.plusSeconds(1), 100).stream()
                .filter(due -> due.item().kind().equals(OutboxItem.MESSAGE_OFFLINE))
                .map(due -> due.item().userId()).toList();
    }

    /** The in-memory delivery store, counting the writes that queue a message already stored. */
    private final class CountingDeliveries implements DeliveryStore {
        private final DeliveryStore store = stores.deliveries();

        @Override
        public void queueOffline(Message stored, DeliveryPlan.Deliveries deliveries) {
            lateWrites.incrementAndGet();
            store.queueOffline(stored, deliveries);
        }

        @Override
        public List<PendingDelivery> pending(PendingDelivery after, int limit) {
            return store.pending(after, limit);
        }

        @Override
        public List<PendingDelivery> pendingFor(String userId, PendingDelivery after, int limit) {
            return store.pendingFor(userId, after, limit);
        }

        @Override
        public void removePending(List<Long> ids) {
            store.removePending(ids);
        }

        @Override
        public void clearUpTo(String userId, String roomId, long uptoSeq) {
            store.clearUpTo(userId, roomId, uptoSeq);
        }

        @Override
        public boolean acknowledge(String userId, String roomId, long seq) {
            return store.acknowledge(userId, roomId, seq);
        }

        @Override
        public int recordAttempts(List<Long> ids, int maxAttempts, Instant at) {
            return store.recordAttempts(ids, maxAttempts, at);
        }

        @Override
        public void enqueueWebhook(OutboxItem item, Instant dueAt) {
            store.enqueueWebhook(item, dueAt);
        }

        @Override
        public List<DueWebhook> dueWebhooks(Instant now, int limit) {
            return store.dueWebhooks(now, limit);
        }

        @Override
        public void webhookDelivered(long id) {
            store.webhookDelivered(id);
        }

        @Override
        public void webhookFailed(long id, int attempts, Instant nextAttemptAt, boolean dead, Instant at) {
            store.webhookFailed(id, attempts, nextAttemptAt, dead, at);
        }

        @Override
        public List<DeadLetter> deadLetters(int limit) {
            return store.deadLetters(limit);
        }

        @Override
        public boolean writable() {
            return store.writable();
        }
    }

    /** The in-memory message store, running a step before an append starts and after it has committed. */
    private static final class HookedMessages implements MessageStore {
        private final MessageStore store;
        volatile Runnable beforeAppend = () -> { };
        volatile Runnable afterAppend = () -> { };

        HookedMessages(MessageStore store) {
            this.store = store;
        }

        @Override
        public Appended append(MessageDraft draft, DeliveryPlan plan) {
            beforeAppend.run();
            Appended appended = store.append(draft, plan);
            afterAppend.run();
            return appended;
        }

        @Override
        public Optional<Message> find(String roomId, String messageId) {
            return store.find(roomId, messageId);
        }

        @Override
        public Optional<Message> findByClientId(String roomId, String senderId, String clientMsgId) {
            return store.findByClientId(roomId, senderId, clientMsgId);
        }

        @Override
        public List<Message> after(String roomId, long afterSeq, int limit) {
            return store.after(roomId, afterSeq, limit);
        }

        @Override
        public List<Message> window(String roomId, long uptoSeq, int limit) {
            return store.window(roomId, uptoSeq, limit);
        }

        @Override
        public Optional<Message> edit(String roomId, String messageId, String content, Instant editedAt) {
            return store.edit(roomId, messageId, content, editedAt);
        }

        @Override
        public boolean delete(String roomId, String messageId) {
            return store.delete(roomId, messageId);
        }
    }
}
