package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Racing edits and deletes of one message: the first request is held between its commit and its publication
 * while the second one runs, the interleaving that let members apply the changes in another order.
 */
class EditMessageServiceTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Principal ANN = new Principal("ann", Role.USER);
    private static final long WAIT_MILLIS = 10_000;

    private final InMemoryStores stores = InMemoryStores.create();
    private final PublisherBotTestDouble published = new PublisherBotTestDouble();
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile Thread heldThread;
    private final EditMessageService service = new EditMessageService(stores.rooms(), stores.messages(),
            Intercepted.of(EventPublisher.class, published, "publish", this::holdFirstPublication), () -> T0,
            ChatSettings.defaults(), UserLimit.none(), new BotRepliesTestDouble());
    private final String messageId = storedMessage();

    @Test
    void theLastEditedEventIsTheStoredContentWhenTwoEditsRace() throws Exception {
        race(() -> service.edit(ANN, "room_r", messageId, "first"),
                () -> service.edit(ANN, "room_r", messageId, "second"));

        String stored = stores.messages().find("room_r", messageId).orElseThrow().content();
        assertThat(published.events()).extracting(e -> ((ChatEvent.MessageEdited) e).message().content())
                .containsExactly("first", "second")
                .last().isEqualTo(stored);
    }

    @Test
    void nothingAboutAMessageFollowsItsDeletedEvent() throws Exception {
        race(() -> service.edit(ANN, "room_r", messageId, "first"),
                () -> service.delete(ANN, "room_r", messageId));

        assertThat(stores.messages().find("room_r", messageId)).isEmpty();
        assertThat(published.events()).hasSize(2).last().isInstanceOf(ChatEvent.MessageDeleted.class);
    }

    /**
     * Runs {@code first} until its commit is made and its event is about to be published, then {@code second}
     * until it ends or waits for the first, then lets the first one go on.
     */
    private void race(Runnable first, Runnable second) throws Exception {
        Thread one = new Thread(first);
        heldThread = one;
        one.start();
        assertThat(held.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)).as("the first change was published").isTrue();
        Thread two = new Thread(second);
        two.start();
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (two.getState() != Thread.State.TERMINATED && two.getState() != Thread.State.WAITING
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        release.countDown();
        one.join(WAIT_MILLIS);
        two.join(WAIT_MILLIS);
        assertThat(one.isAlive() || two.isAlive()).as("both changes ended").isFalse();
    }

    private void holdFirstPublication() throws InterruptedException {
        if (Thread.currentThread() == heldThread) {
            held.countDown();
            release.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private String storedMessage() {
        stores.rooms().createGroup(new Room("room_r", RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                List.of(new Member("room_r", "ann", MemberRole.MEMBER, T0),
                        new Member("room_r", "bob", MemberRole.MEMBER, T0)));
        DeliveryPlan none = stored -> new DeliveryPlan.Deliveries(List.of(), List.of());
        Message message = stores.messages()
                .append(new MessageDraft(Ids.message(), "room_r", "ann", "hello", null, null, T0), none).message();
        return message.id();
    }
}
