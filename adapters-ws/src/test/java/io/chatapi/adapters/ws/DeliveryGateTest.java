package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.adapters.ws.json.EventFrames;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.port.in.StreamsUseCase.ActiveStream;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.domain.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryGateTest {
    private final List<List<String>> queued = new ArrayList<>();
    /** The {@code message} events that came with each queued item. */
    private final List<ChatEvent> queuedMessages = new ArrayList<>();
    private final List<ChatEvent> refused = new ArrayList<>();
    private int capacity = 100;
    private final DeliveryGate gate = new DeliveryGate((frames, messages) -> {
        if (queued.size() >= capacity) {
            return false;
        }
        queued.add(frames);
        queuedMessages.addAll(messages);
        return true;
    }, 10, refused::addAll);

    private boolean live(ChatEvent event) {
        return gate.deliver(event, EventFrames.event(event));
    }

    private List<String> sent() {
        List<String> out = new ArrayList<>();
        for (List<String> item : queued) {
            for (String frame : item) {
                JsonNode node = WireJson.parse(frame).orElseThrow();
                String type = node.get("type").asText();
                String detail = switch (type) {
                    case "message" -> node.get("room_id").asText() + "#" + node.get("seq").asLong()
                            + (node.path("replay").asBoolean() ? "r" : "");
                    case "message.stream.delta" -> node.get("offset").asInt() + ":" + node.get("delta").asText();
                    case "resume.done" -> node.get("room_id").asText() + "@" + node.get("last_seq").asLong();
                    default -> node.path("message_id").asText(node.path("room_id").asText());
                };
                out.add(type + " " + detail);
            }
        }
        return out;
    }

    private static Message msg(String room, long seq) {
        return new Message("m" + seq, room, "u", seq, "hi", null, Instant.EPOCH, null, null);
    }

    private static ChatEvent message(String room, long seq) {
        return new ChatEvent.MessageCreated(msg(room, seq), false);
    }

    private static ChatEvent delta(String id, String text, int offset) {
        return new ChatEvent.StreamDelta("r1", id, text, offset);
    }

    @Test
    void aMessageReDeliveredWhileItsRoomIsHeldDoesNotCountAsSentLive() {
        gate.opened(List.of());
        gate.holdRoom("r1");
        var owed = (ChatEvent.MessageCreated) message("r1", 5);
        assertThat(gate.redeliver(owed, EventFrames.event(owed), () -> { })).isTrue();
        assertThat(gate.released("r1", List.of())).isTrue();
        assertThat(live(message("r1", 6))).isTrue();

        var older = (ChatEvent.MessageCreated) message("r1", 4);
        assertThat(gate.redeliver(older, EventFrames.event(older), () -> { })).isTrue();
        var sentLive = (ChatEvent.MessageCreated) message("r1", 6);
        assertThat(gate.redeliver(sentLive, EventFrames.event(sentLive), () -> { })).isTrue();

        assertThat(sent()).containsExactly("message r1#5", "message r1#6", "message r1#4");
    }

    @Test
    void aBotReplyWhoseEndWasSentLiveIsNotReDeliveredAsAMessage() {
        gate.opened(List.of());
        live(new ChatEvent.StreamStart("r1", "b1", "bot"));
        live(new ChatEvent.StreamEnd("r1", "b1", "bot", "Hi", 7, "stop"));

        var reply = (ChatEvent.MessageCreated) message("r1", 7);
        assertThat(gate.redeliver(reply, EventFrames.event(reply), () -> { })).as("counted as delivered").isTrue();
        var older = (ChatEvent.MessageCreated) message("r1", 6);
        assertThat(gate.redeliver(older, EventFrames.event(older), () -> { })).isTrue();

        assertThat(sent()).containsExactly("message.stream.start b1", "message.stream.end b1", "message r1#6");
    }

    @Test
    void aQueuedMessageTheConnectionWasSentLiveIsNotSentAgainButAnOlderOneIs() {
        gate.opened(List.of());
        assertThat(live(message("r1", 10))).isTrue();
        assertThat(live(message("r1", 11))).isTrue();

        var owed = (ChatEvent.MessageCreated) message("r1", 10);
        assertThat(gate.redeliver(owed, EventFrames.event(owed), () -> { })).as("counted as delivered").isTrue();
        var older = (ChatEvent.MessageCreated) message("r1", 9);
        assertThat(gate.redeliver(older, EventFrames.event(older), () -> { })).isTrue();
        var otherRoom = (ChatEvent.MessageCreated) message("r2", 10);
        assertThat(gate.redeliver(otherRoom, EventFrames.event(otherRoom), () -> { })).isTrue();
        assertThat(live(message("r1", 12))).isTrue();

        assertThat(sent()).containsExactly("message r1#10", "message r1#11", "message r1#9", "message r2#10",
                "message r1#12");
    }

    @Test
    void everythingIsHeldUntilTheCatchUpAndComesAfterIt() {
        live(message("r1", 1));
        live(delta("b1", "lo wo", 3));
        assertThat(queued).isEmpty();

        gate.opened(List.of(new ActiveStream("r1", "b1", "bot", "Hello wor")));
        live(delta("b1", "ld", 9));

        assertThat(sent()).containsExactly(
                "message.stream.start b1", "message.stream.delta 0:Hello wor",
                "message r1#1",
                "message.stream.delta 9:ld");
    }

    @Test
    void deltasAlreadyGivenAreDroppedOverlapsTrimmedAndGapsNeverSent() {
        gate.opened(List.of(new ActiveStream("r1", "b1", "bot", "Hello")));
        live(delta("b1", "Hel", 0));
        live(delta("b1", "lo, w", 3));
        live(delta("b1", "xx", 20));
        live(delta("b1", "orld", 8));

        assertThat(sent()).containsExactly(
                "message.stream.start b1", "message.stream.delta 0:Hello",
                "message.stream.delta 5:, w", "message.stream.delta 8:orld");
    }

    @Test
    void aStreamStartedAfterRegistrationIsNotAnnouncedTwice() {
        live(new ChatEvent.StreamStart("r1", "b2", "bot"));
        live(delta("b2", "Hi", 0));
        gate.opened(List.of(new ActiveStream("r1", "b2", "bot", "Hi")));
        live(delta("b2", " there", 2));
        live(new ChatEvent.StreamEnd("r1", "b2", "bot", "Hi there", 7, "stop"));

        assertThat(sent()).containsExactly("message.stream.start b2", "message.stream.delta 0:Hi",
                "message.stream.delta 2: there", "message.stream.end b2");
    }

    @Test
    void aReplyThatEndedBeforeTheCatchUpComesWholeAndOneNeverShownDoesNotLeakItsDeltasOrError() {
        live(delta("b3", "Hi", 0)); // held since registration; the reply ends before the catch-up looks
        live(new ChatEvent.StreamEnd("r1", "b3", "bot", "Hi there", 8, "stop"));
        live(delta("b4", "No", 0));
        live(new ChatEvent.StreamError("r1", "b4", "llm_error"));
        gate.opened(List.of());

        assertThat(sent()).containsExactly("message.stream.start b3", "message.stream.delta 0:Hi there",
                "message.stream.end b3");
    }

    @Test
    void resumeReplaysFirstThenLiveEventsWithoutDuplicatesAndOtherRoomsFlow() {
        gate.opened(List.of());
        gate.holdRoom("r1");
        live(message("r1", 5));
        live(message("r2", 1));
        live(message("r1", 6));
        live(new ChatEvent.Typing("r1", "u", true));

        List<String> replay = List.of(EventFrames.event(new ChatEvent.MessageCreated(msg("r1", 4), true)),
                EventFrames.event(new ChatEvent.MessageCreated(msg("r1", 5), true)),
                EventFrames.resumeDone("r1", 5, true));
        gate.resumed("r1", replay, 5, 5, List.of(new ActiveStream("r1", "b1", "bot", "Hel")));
        live(message("r1", 7));

        assertThat(sent()).containsExactly(
                "message r2#1",
                "message r1#4r", "message r1#5r", "resume.done r1@5",
                "message.stream.start b1", "message.stream.delta 0:Hel",
                "message r1#6", "typing r1",
                "message r1#7");
    }

    @Test
    void aMessageTheReplayAlreadyGaveIsDroppedWhenItsLiveFanOutComesAfterTheResume() {
        gate.opened(List.of());
        gate.holdRoom("r1");
        gate.resumed("r1", List.of(EventFrames.event(new ChatEvent.MessageCreated(msg("r1", 8), true)),
                EventFrames.resumeDone("r1", 8, true)), 8, 8, List.of());
        live(message("r1", 8));
        live(message("r2", 8));
        live(message("r1", 9));

        assertThat(sent()).containsExactly("message r1#8r", "resume.done r1@8", "message r2#8", "message r1#9");
    }

    @Test
    void aResumeThatReplayedNothingNeverHidesLaterMessagesBehindTheClientsLastSeq() {
        gate.opened(List.of());
        gate.holdRoom("r1");
        gate.resumed("r1", List.of(EventFrames.resumeDone("r1", 50, true)), 50, -1, List.of());
        live(message("r1", 3));

        assertThat(sent()).containsExactly("resume.done r1@50", "message r1#3");
    }

    @Test
    void aRefusedResumeReleasesTheRoomAfterTheError() {
        gate.opened(List.of());
        gate.holdRoom("r1");
        live(message("r1", 3));
        gate.released("r1", List.of(EventFrames.error("forbidden", "no", null)));

        assertThat(sent()).containsExactly("error ", "message r1#3");
    }

    @Test
    void messagesGoWithTheirFramesAndThoseRefusedOrStillHeldAreToldButNotARefusedReDelivery() {
        ChatEvent held = message("r1", 1);
        live(held);
        live(new ChatEvent.Typing("r1", "bob", true));
        ChatEvent end = new ChatEvent.StreamEnd("r1", "b1", "bot", "Hi", 2, "stop");
        live(end);
        gate.opened(List.of());
        assertThat(queuedMessages).containsExactly(held, end);

        capacity = queued.size();
        ChatEvent refusedLive = message("r1", 3);
        assertThat(live(refusedLive)).isFalse();
        assertThat(gate.redeliver(new ChatEvent.MessageCreated(msg("r3", 4), false), "{}", () -> { })).isFalse();
        assertThat(live(new ChatEvent.Typing("r1", "bob", false))).isFalse();
        assertThat(refused).as("the offline queue keeps a refused re-delivery").containsExactly(refusedLive);

        gate.holdRoom("r2");
        ChatEvent stillHeld = message("r2", 1);
        live(stillHeld);
        live(new ChatEvent.Typing("r2", "bob", true));
        assertThat(gate.drainHeld()).containsExactly(stillHeld);
        assertThat(gate.drainHeld()).isEmpty();
    }

    @Test
    void tooManyHeldEventsOrAFullQueueRefuseTheEvent() {
        for (int i = 1; i <= 10; i++) {
            assertThat(live(message("r1", i))).isTrue();
        }
        assertThat(live(message("r1", 11))).isFalse();

        gate.opened(List.of());
        capacity = queued.size();
        assertThat(live(message("r1", 12))).isFalse();
    }
}
