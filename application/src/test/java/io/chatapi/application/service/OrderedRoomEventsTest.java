package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.service.OrderedRoomEvents.Turn;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class OrderedRoomEventsTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<String> AUDIENCE = List.of("alice");

    private final RoomStoreBotTestDouble rooms = new RoomStoreBotTestDouble();
    private final PublisherBotTestDouble publisher = new PublisherBotTestDouble();
    private final OrderedRoomEvents ordered = new OrderedRoomEvents(publisher, rooms);

    @Test
    void theFirstMessagesOfANewRoomArePublishedInSeqOrderWhenTheSecondCommitsFirst() {
        List<Turn> turns = appendsTo("r1", 0, 2);

        turns.get(1).committed(2, AUDIENCE, created("r1", 2));
        assertThat(seqs()).isEmpty();
        turns.get(0).committed(1, AUDIENCE, created("r1", 1));

        assertThat(seqs()).containsExactly(1L, 2L);
    }

    @Test
    void aRoomWithHistoryContinuesFromItsStoredSeq() {
        List<Turn> turns = appendsTo("r1", 41, 2);

        turns.get(1).committed(43, AUDIENCE, created("r1", 43));
        turns.get(0).committed(42, AUDIENCE, created("r1", 42));

        assertThat(seqs()).containsExactly(42L, 43L);
    }

    @Test
    void aRoomHeldIsNotReadAgain() {
        room("r1", 0);
        ordered.appending("r1").committed(1, AUDIENCE, created("r1", 1));
        room("r1", 5); // a second reading would take 6 for the next seq, and publish 3 and 2 as they come
        Turn second = ordered.appending("r1");
        Turn third = ordered.appending("r1");

        third.committed(3, AUDIENCE, created("r1", 3));
        second.committed(2, AUDIENCE, created("r1", 2));

        assertThat(seqs()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aSeqReportedWithoutEventsLetsTheNextOnesThrough() {
        List<Turn> turns = appendsTo("r1", 0, 2);

        turns.get(1).committed(2, AUDIENCE, created("r1", 2));
        turns.get(0).committed(1, List.of());

        assertThat(seqs()).containsExactly(2L);
    }

    @Test
    void roomsWaitOnlyForTheirOwnSeqs() {
        List<Turn> first = appendsTo("r1", 0, 2);
        List<Turn> second = appendsTo("r2", 7, 1);

        first.get(1).committed(2, AUDIENCE, created("r1", 2));
        second.get(0).committed(8, AUDIENCE, created("r2", 8));

        assertThat(seqs()).containsExactly(8L);
    }

    @Test
    void aTurnClosedWithoutAReportHoldsNothingBackOnceNoOtherIsOpen() {
        List<Turn> turns = appendsTo("r1", 0, 3);

        turns.get(2).committed(3, AUDIENCE, created("r1", 3));
        turns.get(0).close(); // a duplicate, or a failed append: it took no seq
        assertThat(seqs()).as("the open turn may still report 1 or 2").isEmpty();
        turns.get(1).committed(1, AUDIENCE, created("r1", 1));

        assertThat(seqs()).containsExactly(1L, 3L);
    }

    @Test
    void aTurnThatNeverEndsHoldsTheRoomOnlyUntilMoreThan1024Wait() {
        List<Turn> turns = appendsTo("r1", 0, 1027);
        for (int seq = 2; seq <= 1025; seq++) {
            turns.get(seq - 1).committed(seq, AUDIENCE, created("r1", seq));
        }
        assertThat(seqs()).isEmpty();

        turns.get(1025).committed(1026, AUDIENCE, created("r1", 1026));
        assertThat(seqs()).containsExactlyElementsOf(LongStream.rangeClosed(2, 1026).boxed().toList());

        turns.get(0).committed(1, AUDIENCE, created("r1", 1));
        turns.get(1026).committed(1027, AUDIENCE, created("r1", 1027));
        assertThat(seqs()).endsWith(1026L, 1L, 1027L);
    }

    @Test
    void aTurnReportsOnceAndClosingItAfterwardsChangesNothing() {
        List<Turn> turns = appendsTo("r1", 0, 2);
        turns.get(0).committed(1, AUDIENCE, created("r1", 1));
        turns.get(0).close();

        assertThatThrownBy(() -> turns.get(0).committed(2, AUDIENCE, created("r1", 2)))
                .isInstanceOf(IllegalStateException.class);
        turns.get(1).committed(2, AUDIENCE, created("r1", 2));
        assertThat(seqs()).containsExactly(1L, 2L);
    }

    @Test
    void aSeqThatPublishesItselfRunsAfterEveryEarlierOneAndBeforeEveryLaterOne() {
        List<Turn> turns = appendsTo("r1", 0, 3);
        List<List<Long>> publishedBeforeSeq2 = new ArrayList<>();

        turns.get(2).committed(3, AUDIENCE, created("r1", 3));
        turns.get(1).committed(2, () -> publishedBeforeSeq2.add(seqs()));
        assertThat(publishedBeforeSeq2).as("seq 1 is not reported yet").isEmpty();
        turns.get(0).committed(1, AUDIENCE, created("r1", 1));

        assertThat(publishedBeforeSeq2).containsExactly(List.of(1L));
        assertThat(seqs()).containsExactly(1L, 3L);
    }

    @Test
    void aSeqThatPublishesItselfIsNotHeldByATurnClosedWithoutOne() {
        List<Turn> turns = appendsTo("r1", 0, 2);
        List<String> order = new ArrayList<>();

        turns.get(1).committed(2, () -> order.add("seq 2 by itself"));
        assertThat(order).isEmpty();
        turns.get(0).close();

        assertThat(order).containsExactly("seq 2 by itself");
    }

    @Test
    void aFailingPublisherHoldsBackNoLaterSeq() {
        List<Turn> turns = appendsTo("r1", 0, 2);

        turns.get(1).committed(2, AUDIENCE, created("r1", 2));
        turns.get(0).committed(1, () -> {
            throw new IllegalStateException("a connection registry failure");
        });

        assertThat(seqs()).containsExactly(2L);
    }

    @Test
    void idleRoomsAreForgottenOnceManyAreHeldAndReadAgainWhenUsed() {
        List<Turn> busy = appendsTo("busy", 0, 2);
        busy.get(1).committed(2, AUDIENCE, created("busy", 2));
        room("quiet", 0);
        ordered.appending("quiet").committed(1, AUDIENCE, created("quiet", 1));

        for (int i = 0; i < OrderedRoomEvents.SWEEP_FLOOR; i++) {
            ordered.appending("idle-" + i).close();
        }

        // left: the room with an open turn, the one whose turn was open during the sweep, and the one after it
        assertThat(ordered.roomsHeld()).isEqualTo(3);
        busy.get(0).committed(1, AUDIENCE, created("busy", 1));
        room("quiet", 7); // messages stored meanwhile by turns that reported them
        List<Turn> quiet = List.of(ordered.appending("quiet"), ordered.appending("quiet"));
        quiet.get(1).committed(9, AUDIENCE, created("quiet", 9));
        quiet.get(0).committed(8, AUDIENCE, created("quiet", 8));
        assertThat(seqs()).containsExactly(1L, 1L, 2L, 8L, 9L);
    }

    @Test
    void roomsWithAnOpenTurnAreNeverForgotten() {
        for (int i = 0; i < 3 * OrderedRoomEvents.SWEEP_FLOOR; i++) {
            ordered.appending("open-" + i); // never closed: every room stays in use
        }
        assertThat(ordered.roomsHeld()).isEqualTo(3 * OrderedRoomEvents.SWEEP_FLOOR);
    }

    /** A room whose stored seq stands at {@code lastSeq}, and {@code count} turns opened on it. */
    private List<Turn> appendsTo(String roomId, long lastSeq, int count) {
        room(roomId, lastSeq);
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            turns.add(ordered.appending(roomId));
        }
        return turns;
    }

    private void room(String id, long lastSeq) {
        rooms.createGroup(new Room(id, RoomType.GROUP, null, null, lastSeq, NOW, Handoff.initial(NOW)), List.of());
    }

    private static ChatEvent created(String roomId, long seq) {
        return new ChatEvent.MessageCreated(new Message("m" + seq, roomId, "alice", seq, "hi", null, NOW, null, null),
                false);
    }

    private List<Long> seqs() {
        return publisher.published().stream()
                .map(p -> ((ChatEvent.MessageCreated) p.event()).message().seq())
                .toList();
    }
}
