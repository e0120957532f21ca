package io.chatapi.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DueWebhook;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.SharedBody;
import io.chatapi.application.port.out.WebhookBody;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The part of a message's notifications that all its recipients share is stored once, and goes with the last. */
class SharedWebhookBodyTest {
    private static final Instant T0 = Instant.parse("2026-04-02T12:00:00Z");
    private static final int METADATA = 64 * 1024;
    private static final List<String> RECIPIENTS = IntStream.range(0, 200).mapToObj(i -> "user_" + i).toList();

    @TempDir
    Path dir;
    private SqliteDatabase db;
    private SqliteMessageStore messages;
    private SqliteDeliveryStore deliveries;

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(new SqliteSettings(dir.resolve("chat.db"), "NORMAL"));
        messages = new SqliteMessageStore(db);
        deliveries = new SqliteDeliveryStore(db);
        new SqliteRoomStore(db).createGroup(new Room("room_a", RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                RECIPIENTS.stream().map(user -> new Member("room_a", user, MemberRole.MEMBER, T0)).toList());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aSendStoresTheSharedPartOnceHoweverManyRecipientsItHas() {
        Message stored = send();

        long outboxBytes = db.read(h -> h.createQuery("SELECT sum(length(body)) FROM webhook_outbox")
                .mapTo(Long.class).one());
        long sharedBytes = db.read(h -> h.createQuery("SELECT sum(length(head) + length(tail)) FROM webhook_bodies")
                .mapTo(Long.class).one());
        assertThat(outboxBytes).isLessThan(RECIPIENTS.size() * 16L);
        assertThat(sharedBytes).isBetween((long) METADATA, METADATA + 1_000L);
        assertThat(deliveries.dueWebhooks(stored.createdAt(), 1_000)).hasSize(RECIPIENTS.size())
                .allSatisfy(due -> assertThat(due.item().body().text())
                        .isEqualTo(shared().head() + due.item().userId() + shared().tail()));
    }

    @Test
    void theSharedPartGoesWithTheLastNotificationThatUsesIt() {
        Message stored = send();
        List<DueWebhook> due = deliveries.dueWebhooks(stored.createdAt(), 1_000);
        due.subList(0, due.size() - 1).forEach(d -> deliveries.webhookDelivered(d.id()));
        assertThat(sharedBodies()).isEqualTo(1);

        deliveries.webhookFailed(due.getLast().id(), 8, T0.plusSeconds(60), true, T0.plusSeconds(30));

        assertThat(sharedBodies()).isZero();
        Message deleted = send();
        messages.delete("room_a", deleted.id());
        assertThat(sharedBodies()).isZero();
    }

    private Message send() {
        DeliveryPlan plan = stored -> new DeliveryPlan.Deliveries(RECIPIENTS, RECIPIENTS.stream()
                .map(user -> new OutboxItem(Ids.next("wh_"), OutboxItem.MESSAGE_OFFLINE, user, stored.roomId(),
                        stored.id(), stored.seq(), new WebhookBody(shared(), user)))
                .toList());
        return messages.append(new MessageDraft(Ids.message(), "room_a", "user_0", "hello", null, null, T0), plan)
                .message();
    }

    private static SharedBody shared() {
        return new SharedBody("{\"type\":\"message.offline\",\"recipient_id\":\"",
                "\",\"room_metadata\":\"" + "m".repeat(METADATA) + "\"}");
    }

    private long sharedBodies() {
        return db.read(h -> h.createQuery("SELECT count(*) FROM webhook_bodies").mapTo(Long.class).one());
    }
}
