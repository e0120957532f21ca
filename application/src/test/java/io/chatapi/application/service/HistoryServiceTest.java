package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.fake.InMemoryStores;
import io.chatapi.application.port.in.HistoryUseCase.Replay;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.DeliveryStore;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Resume replays. */
class HistoryServiceTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final InMemoryStores stores = InMemoryStores.create();

    @Test
    void aResumeReplaysWhenTheDatabaseTakesNoWriteToClearTheQueue() {
        stores.rooms().createGroup(new Room("room_r", RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                List.of(new Member("room_r", "ann", MemberRole.MEMBER, T0),
                        new Member("room_r", "bob", MemberRole.MEMBER, T0)));
        DeliveryPlan toBob = stored -> new DeliveryPlan.Deliveries(List.of("bob"), List.of());
        for (int i = 1; i <= 3; i++) {
            stores.messages().append(new MessageDraft(Ids.message(), "room_r", "ann", "m" + i, null, null, T0), toBob);
        }
        DeliveryStore noWrites = Intercepted.of(DeliveryStore.class, stores.deliveries(), "clearUpTo", () -> {
            throw new StoreUnavailableException("the database write failed", null);
        });
        HistoryService history = new HistoryService(stores.rooms(), stores.messages(), noWrites, ChatSettings.defaults());

        Replay replay = history.resume(new Principal("bob", Role.USER), "room_r", 1);

        assertThat(replay.messages()).extracting(Message::content).containsExactly("m2", "m3");
        assertThat(replay.lastSeq()).isEqualTo(3);
        assertThat(replay.complete()).isTrue();
        assertThat(stores.deliveries().pendingFor("bob")).as("left for a later ack or resume").hasSize(3);
    }

    @Test
    void aReplayCountsMetaInItsTextBudgetAndStillReplaysARowWithMoreMetaThanASendMayNowCarry() {
        stores.rooms().createGroup(new Room("room_m", RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                List.of(new Member("room_m", "ann", MemberRole.MEMBER, T0),
                        new Member("room_m", "bob", MemberRole.MEMBER, T0)));
        DeliveryPlan none = stored -> new DeliveryPlan.Deliveries(List.of(), List.of());
        String stored = "m".repeat(2_000_000); // written before meta was bounded
        for (int i = 1; i <= 2; i++) {
            stores.messages().append(new MessageDraft(Ids.message(), "room_m", "ann", "m" + i, stored, null, T0), none);
        }
        HistoryService history = new HistoryService(stores.rooms(), stores.messages(), stores.deliveries(),
                ChatSettings.defaults());

        Replay replay = history.resume(new Principal("bob", Role.USER), "room_m", 0);

        assertThat(replay.messages()).extracting(Message::meta).containsExactly(stored);
        assertThat(replay.lastSeq()).isEqualTo(1);
        assertThat(replay.complete()).isFalse();
    }

    @Test
    void aResumeBoundedByTheLargestWholeNumberStillEnds() {
        stores.rooms().createGroup(new Room("room_x", RoomType.GROUP, null, null, 0, T0, Handoff.initial(T0)),
                List.of(new Member("room_x", "ann", MemberRole.MEMBER, T0),
                        new Member("room_x", "bob", MemberRole.MEMBER, T0)));
        DeliveryPlan none = stored -> new DeliveryPlan.Deliveries(List.of(), List.of());
        stores.messages().append(new MessageDraft(Ids.message(), "room_x", "ann", "hello", null, null, T0), none);
        ChatSettings d = ChatSettings.defaults();
        ChatSettings unbounded = new ChatSettings(d.maxMessageChars(), d.rateLimitPerSecond(), d.rateLimitBurst(),
                Integer.MAX_VALUE, d.offlineMaxAttempts(), d.webhookMaxAttempts(), d.webhookRetryBase(),
                d.presenceGrace(), d.botWebhookProceed(), d.maxRoomMembers());
        HistoryService history = new HistoryService(stores.rooms(), stores.messages(), stores.deliveries(), unbounded);

        Replay replay = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> history.resume(new Principal("bob", Role.USER), "room_x", 0));

        assertThat(replay.messages()).extracting(Message::content).containsExactly("hello");
        assertThat(replay.complete()).isTrue();
    }
}
