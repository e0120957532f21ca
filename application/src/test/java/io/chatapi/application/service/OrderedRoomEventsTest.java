package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        twoAppendsTo("r1", 0);

        ordered.committed("r1", 2, AUDIENCE, created("r1", 2));
        assertThat(seqs()).isEmpty();
        ordered.committed("r1", 1, AUDIENCE, created("r1", 1));

        assertThat(seqs()).containsExactly(1L, 2L);
    }

    @Test
    void aRoomWithHistoryContinuesFromItsStoredSeq() {
        twoAppendsTo("r1", 41);

        ordered.committed("r1", 43, AUDIENCE, created("r1", 43));
        ordered.committed("r1", 42, AUDIENCE, created("r1", 42));

        assertThat(seqs()).containsExactly(42L, 43L);
    }

    @Test
    void onlyTheFirstAnnouncementReadsTheRoom() {
        room("r1", 0);
        ordered.appending("r1");
        ordered.committed("r1", 1, AUDIENCE, created("r1", 1));
        room("r1", 1); // the store has moved on; a second reading would start after it
        ordered.appending("r1");
        ordered.appending("r1");

        ordered.committed("r1", 3, AUDIENCE, created("r1", 3));
        ordered.committed("r1", 2, AUDIENCE, created("r1", 2));

        assertThat(seqs()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aSeqReportedWithoutEventsLetsTheNextOnesThrough() {
        twoAppendsTo("r1", 0);

        ordered.committed("r1", 2, AUDIENCE, created("r1", 2));
        ordered.committed("r1", 1, List.of());

        assertThat(seqs()).containsExactly(2L);
    }

    @Test
    void roomsWaitOnlyForTheirOwnSeqs() {
        room("r1", 0);
        room("r2", 7);
        ordered.appending("r1");
        ordered.appending("r2");

        ordered.committed("r1", 2, AUDIENCE, created("r1", 2));
        ordered.committed("r2", 8, AUDIENCE, created("r2", 8));

        assertThat(seqs()).containsExactly(8L);
    }

    @Test
    void aVanishedReportHoldsTheRoomOnlyUntilMoreThan1024Wait() {
        room("r1", 0);
        ordered.appending("r1");
        for (long seq = 2; seq <= 1025; seq++) {
            ordered.committed("r1", seq, AUDIENCE, created("r1", seq));
        }
        assertThat(seqs()).isEmpty();

        ordered.committed("r1", 1026, AUDIENCE, created("r1", 1026));
        assertThat(seqs()).containsExactlyElementsOf(LongStream.rangeClosed(2, 1026).boxed().toList());

        ordered.committed("r1", 1, AUDIENCE, created("r1", 1));
        ordered.committed("r1", 1027, AUDIENCE, created("r1", 1027));
        assertThat(seqs()).endsWith(1026L, 1L, 1027L);
    }

    @Test
    void aSeqWithoutEventsCanWaitUntilEveryEarlierOneIsPublished() throws Exception {
        twoAppendsTo("r1", 0);

        CompletableFuture<List<Long>> seenOnReturn = CompletableFuture.supplyAsync(() -> {
            assertThat(ordered.committedAndCaughtUp("r1", 2, Duration.ofSeconds(10))).isTrue();
            return seqs();
        });
        Thread.sleep(200);
        assertThat(seenOnReturn).as("seq 1 is not reported yet").isNotDone();
        ordered.committed("r1", 1, AUDIENCE, created("r1", 1));

        assertThat(seenOnReturn.get(10, TimeUnit.SECONDS)).containsExactly(1L);
    }

    @Test
    void waitingForAnEarlierSeqThatNeverComesEndsAfterTheGivenTime() {
        twoAppendsTo("r1", 0);

        assertThat(ordered.committedAndCaughtUp("r1", 2, Duration.ofMillis(100))).isFalse();

        ordered.committed("r1", 1, AUDIENCE, created("r1", 1));
        assertThat(seqs()).containsExactly(1L);
    }

    /** A room whose stored seq stands at {@code lastSeq}, and two appends to it announced. */
    private void twoAppendsTo(String roomId, long lastSeq) {
        room(roomId, lastSeq);
        ordered.appending(roomId);
        ordered.appending(roomId);
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
