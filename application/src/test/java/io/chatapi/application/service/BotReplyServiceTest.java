package io.chatapi.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.fake.InMemoryOwedReplyStore;
import io.chatapi.application.fake.OnlineUsers;
import io.chatapi.application.port.in.StreamsUseCase.ActiveStream;
import io.chatapi.application.port.out.BotContextReply;
import io.chatapi.application.port.out.BotContextRequest;
import io.chatapi.application.port.out.ChatEvent.StreamDelta;
import io.chatapi.application.port.out.ChatEvent.StreamEnd;
import io.chatapi.application.port.out.ChatEvent.StreamError;
import io.chatapi.application.port.out.ChatEvent.StreamStart;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.ChatTurn;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.application.port.out.OwedReplyStore;
import io.chatapi.application.port.out.OwedReplyStore.OwedReply;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.application.port.out.WebhookException;
import io.chatapi.domain.Bot;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.ErrorCode;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.HandoffState;
import io.chatapi.domain.LlmProvider;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Role;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BotReplyServiceTest {
    private static final Instant NOW = Instant.parse("2026-04-02T12:00:00Z");
    private static final String ROOM = "room_1";
    private static final String BOT = "bot_1";
    private static final Principal ALICE = new Principal("alice", Role.USER);

    private final RoomStoreBotTestDouble rooms = new RoomStoreBotTestDouble();
    private final MessageStoreBotTestDouble messages = new MessageStoreBotTestDouble();
    private final BotStoreBotTestDouble bots = new BotStoreBotTestDouble();
    private final PublisherBotTestDouble publisher = new PublisherBotTestDouble();
    private final WebhookBotTestDouble webhook = new WebhookBotTestDouble();
    private final LlmBotTestDouble llm = new LlmBotTestDouble();
    private final Set<String> online = ConcurrentHashMap.newKeySet();
    private final ServerMetrics metrics = new ServerMetrics();
    private final TimeSource clock = () -> NOW;
    private final List<String> handoffs = new CopyOnWriteArrayList<>();
    private final AtomicInteger outboxWakes = new AtomicInteger();
    private final DeliveryStoreTestDouble deliveries = new DeliveryStoreTestDouble();
    private final InMemoryOwedReplyStore owedReplies = new InMemoryOwedReplyStore();
    /** Users a test removed from a room while a reply streamed: they may miss its end. */
    private final Set<String> departed = ConcurrentHashMap.newKeySet();
    /** One for every service a test makes, as the server has one. */
    private final OrderedRoomEvents ordered = ordered();
    private BotReplyService service = service(false, 4);
    private Room room = room(ROOM, BOT);

    private BotReplyService service(boolean proceed, int maxConcurrency) {
        return service(proceed, maxConcurrency, BotReplyService.END_WAIT);
    }

    private BotReplyService service(boolean proceed, int maxConcurrency, Duration endWait) {
        return service(proceed, maxConcurrency, endWait, owedReplies);
    }

    private BotReplyService service(boolean proceed, int maxConcurrency, Duration endWait, OwedReplyStore owed) {
        ChatSettings settings = new ChatSettings(16_000, 10, 20, 500, 5, 8, Duration.ofSeconds(1),
                Duration.ofSeconds(5), proceed, 1_000);
        BotReplyService created = new BotReplyService(rooms, messages, bots, publisher, ordered, webhook, llm,
                new OfflineDeliveries(new OnlineUsers(online), webhook, deliveries,
                        outboxWakes::incrementAndGet), owed, clock, settings, metrics, maxConcurrency,
                endWait);
        created.setHandoff((roomId, botId, reason) -> handoffs.add(roomId + "|" + botId + "|" + reason));
        return created;
    }

    /** The human messages here are stored straight into the test double, and reported as the send path does. */
    private OrderedRoomEvents ordered() {
        OrderedRoomEvents created = new OrderedRoomEvents(publisher, rooms);
        messages.added = message -> {
            try (OrderedRoomEvents.Turn turn = created.appending(message.roomId())) {
                turn.committed(message.seq(), List.of());
            }
        };
        return created;
    }

    private Room room(String id, String... botIds) {
        List<Member> members = new ArrayList<>(List.of(
                new Member(id, "alice", MemberRole.MEMBER, NOW), new Member(id, "bob", MemberRole.MEMBER, NOW)));
        for (String botId : botIds) {
            if (bots.find(botId).isEmpty()) {
                bots.create(bot(botId, Bot.DEFAULT_MAX_CONTEXT));
            }
            members.add(new Member(id, botId, MemberRole.BOT, NOW));
        }
        return rooms.createGroup(new Room(id, RoomType.GROUP, null, null, 0, NOW, Handoff.initial(NOW)), members);
    }

    private static Bot bot(String id, int maxContext) {
        return new Bot(id, "Helper", "http://llm.test/v1", "OPENAI_API_KEY", "gpt-test", LlmProvider.OPENAI,
                maxContext, null, null, NOW);
    }

    private Message say(Room in, String sender, String content) {
        Message message = messages.add(in.id(), sender, content);
        service.onMessage(in, message);
        return message;
    }

    private void quiesce() {
        assertThat(service.awaitIdle(PublisherBotTestDouble.WAIT)).as("bot tasks finished").isTrue();
    }

    /**
     * Checked per user and reply, as a user's connections see the events: one start, deltas after it with
     * contiguous offsets, and exactly one end or error with the text they hold, unless the user left the room
     * (listed in {@link #departed}) and so stops hearing of it.
     */
    @AfterEach
    void everyStartEndsExactlyOnce() {
        service.shutdown(NOW.plusSeconds(10));
        record Seen(String userId, String messageId) {
        }
        Map<Seen, Integer> text = new HashMap<>();
        Map<Seen, Integer> terminals = new HashMap<>();
        for (PublisherBotTestDouble.Published published : publisher.published()) {
            ChatEvent event = published.event();
            String id = PublisherBotTestDouble.messageIdOf(event);
            for (String user : published.userIds()) {
                Seen seen = new Seen(user, id);
                switch (event) {
                    case StreamStart s -> assertThat(text.put(seen, 0)).as("one start per reply").isNull();
                    case StreamDelta d -> {
                        assertThat(text).as("delta after its start").containsKey(seen);
                        assertThat(terminals).as("no delta after the end").doesNotContainKey(seen);
                        assertThat(d.offset()).as("contiguous offsets").isEqualTo(text.get(seen));
                        text.put(seen, d.offset() + d.delta().length());
                    }
                    case StreamEnd e -> {
                        assertThat(text).as("end after its start").containsKey(seen);
                        terminals.merge(seen, 1, Integer::sum);
                        Message stored = messages.find(e.roomId(), id).orElseThrow();
                        assertThat(stored.seq()).isEqualTo(e.seq());
                        assertThat(stored.content()).isEqualTo(e.content()).hasSize(text.get(seen));
                    }
                    case StreamError e -> {
                        assertThat(text).as("error after its start").containsKey(seen);
                        terminals.merge(seen, 1, Integer::sum);
                        assertThat(messages.find(e.roomId(), id)).as("nothing stored on error").isEmpty();
                    }
                    case ChatEvent.MessageCreated m -> assertThat(bots.find(m.message().senderId()))
                            .as("bot replies are announced by stream events only").isEmpty();
                    default -> assertThat(event).as("bot replies are announced by stream events only").isNull();
                }
            }
        }
        assertThat(terminals).as("at most one end or error per start").allSatisfy((seen, count) -> assertThat(count)
                .isEqualTo(1));
        assertThat(text.keySet()).as("an end or error for every start").allSatisfy(seen ->
                assertThat(terminals.containsKey(seen) || departed.contains(seen.userId())).isTrue());
    }

    @Test
    void streamsAReplyAndStoresItUnderTheStreamMessageId() {
        online.add("alice");
        llm.preset("Hel", "lo ", "wörld😀", LlmOutcome.STOP);
        Message trigger = say(room, "alice", "hi");

        StreamEnd end = publisher.await(StreamEnd.class, e -> true);
        String id = end.messageId();
        assertThat(publisher.stream(id)).containsExactly(
                new StreamStart(ROOM, id, BOT),
                new StreamDelta(ROOM, id, "Hel", 0),
                new StreamDelta(ROOM, id, "lo ", 3),
                new StreamDelta(ROOM, id, "wörld😀", 6),
                new StreamEnd(ROOM, id, BOT, "Hello wörld😀", trigger.seq() + 1, "stop"));
        Message stored = messages.find(ROOM, id).orElseThrow();
        assertThat(stored.senderId()).isEqualTo(BOT);
        assertThat(stored.seq()).isEqualTo(trigger.seq() + 1);
        assertThat(publisher.published()).allSatisfy(p -> assertThat(p.userIds()).containsExactly("alice", "bob"));
        assertThat(messages.deliveries.get(id).offlineRecipients()).containsExactly("bob");
        assertThat(outboxWakes.get()).as("the reply's webhooks are attempted at once").isEqualTo(1);
        BotContextRequest asked = webhook.requests.poll();
        assertThat(asked).isEqualTo(new BotContextRequest(BOT, ROOM, trigger, List.of(new ChatTurn("user", "hi"))));
        quiesce();
        assertThat(metrics.botReplies.get()).isEqualTo(1);
    }

    @Test
    void aMemberWhoseConnectionClosesWhileTheReplyWaitsForTheStoreIsQueuedWithIt() throws Exception {
        online.addAll(Set.of("alice", "bob"));
        messages.appendGate = new CountDownLatch(1);
        llm.preset("Hi", LlmOutcome.STOP);
        say(room, "alice", "hi");
        assertThat(messages.appending.await(10, TimeUnit.SECONDS)).isTrue();

        online.remove("bob");
        messages.appendGate.countDown();

        String id = publisher.await(StreamEnd.class, e -> true).messageId();
        assertThat(messages.deliveries.get(id).offlineRecipients()).containsExactly("bob");
        assertThat(deliveries.allPending()).as("no write of its own").isEmpty();
    }

    @Test
    void aMemberWhoseConnectionClosesBeforeTheReplyEndIsPublishedIsQueuedForIt() {
        online.addAll(Set.of("alice", "bob"));
        messages.afterAppend = () -> online.remove("bob");
        llm.preset("Hi", LlmOutcome.STOP);
        say(room, "alice", "hi");

        StreamEnd end = publisher.await(StreamEnd.class, e -> true);
        quiesce();
        assertThat(messages.deliveries.get(end.messageId()).offlineRecipients()).isEmpty();
        assertThat(deliveries.allPending()).extracting(p -> p.userId() + "#" + p.seq())
                .containsExactly("bob#" + end.seq());
        assertThat(deliveries.outbox()).extracting(row -> row.item().kind() + "@" + row.item().userId())
                .containsExactly("message.offline@bob");
    }

    @Test
    void historyIsTheLastMaxContextMessagesUpToTheTriggerWithoutSystemMarkersAndWithRoles() {
        bots.delete(BOT);
        bots.create(bot(BOT, 4));
        messages.add(ROOM, "alice", "zero");
        messages.add(ROOM, "alice", "one");
        messages.add(ROOM, "bot_other", "two");
        messages.add(ROOM, Principal.SYSTEM, "Room handed to agent");
        messages.add(ROOM, BOT, "four");
        Message trigger = messages.add(ROOM, "alice", "five");
        messages.add(ROOM, "bob", "six");
        service.onMessage(room, trigger);

        LlmBotTestDouble.Call call = llm.nextCall();
        List<ChatTurn> expected = List.of(new ChatTurn("user", "one"), new ChatTurn("user", "two"),
                new ChatTurn("assistant", "four"), new ChatTurn("user", "five"));
        assertThat(call.request.history()).isEqualTo(expected);
        assertThat(call.request.systemPrompt()).isEqualTo("You are kind.");
        assertThat(call.request.bot().id()).isEqualTo(BOT);
        assertThat(webhook.requests.poll().history()).isEqualTo(expected);
        call.end(LlmOutcome.STOP);
    }

    @Test
    void historyKeepsTheNewestMessagesWithinItsCharacterBudget() {
        String half = "b".repeat(500_000);
        messages.add(ROOM, "alice", "too old to fit");
        messages.add(ROOM, BOT, half);
        messages.add(ROOM, BOT, half.substring(2));
        Message trigger = messages.add(ROOM, "alice", "ok");
        service.onMessage(room, trigger);

        LlmBotTestDouble.Call call = llm.nextCall();
        List<ChatTurn> expected = List.of(new ChatTurn("assistant", half),
                new ChatTurn("assistant", half.substring(2)), new ChatTurn("user", "ok")); // exactly the budget
        assertThat(call.request.history()).isEqualTo(expected);
        assertThat(webhook.requests.poll().history()).isEqualTo(expected);
        call.end(LlmOutcome.STOP);
    }

    @Test
    void aTriggerOverTheHistoryBudgetIsSentAlone() {
        messages.add(ROOM, "alice", "before");
        Message trigger = messages.add(ROOM, "alice", "t".repeat(1_000_001));
        service.onMessage(room, trigger);

        LlmBotTestDouble.Call call = llm.nextCall();
        assertThat(call.request.history()).containsExactly(new ChatTurn("user", trigger.content()));
        call.end(LlmOutcome.STOP);
    }

    @Test
    void roomBotPairsIdleLongEnoughAreForgottenOnceThereAreMany() {
        service.forgetIdlePairs(2, Duration.ZERO);
        List<Room> earlier = List.of(room("room_f1", BOT), room("room_f2", BOT), room("room_f3", BOT));
        for (Room r : earlier) {
            llm.preset("ok", LlmOutcome.STOP);
            say(r, "alice", "hi");
        }
        quiesce();
        assertThat(service.rememberedPairs()).isEqualTo(3);

        llm.preset("ok", LlmOutcome.STOP);
        say(room, "alice", "hi");
        quiesce();
        assertThat(service.rememberedPairs()).as("the idle ones forgotten as this one's reply started").isEqualTo(1);

        llm.preset("again", LlmOutcome.STOP);
        say(earlier.getFirst(), "alice", "back");
        assertThat(publisher.await(StreamEnd.class, e -> e.roomId().equals("room_f1") && e.content().equals("again")))
                .as("a forgotten room's bot answers as before").isNotNull();
    }

    @Test
    void withoutAWebhookTheLlmGetsNoSystemPrompt() {
        webhook.enabled = false;
        llm.preset("ok", LlmOutcome.STOP);
        say(room, "alice", "hi");

        assertThat(llm.nextCall().request.systemPrompt()).isNull();
        publisher.await(StreamEnd.class, e -> true);
        assertThat(webhook.requests).isEmpty();
    }

    @Test
    void skipKeepsTheBotSilent() {
        webhook.answer = request -> new BotContextReply(null, true, false, null);
        say(room, "alice", "hi");
        quiesce();

        assertThat(webhook.requests).hasSize(1);
        assertThat(llm.callCount).hasValue(0);
        assertThat(publisher.events()).isEmpty();
        assertThat(handoffs).isEmpty();
    }

    @Test
    void skipWithHandoffHandsTheRoomToAHumanInTheBotsName() {
        webhook.answer = request -> new BotContextReply(null, true, true, "asks for a person");
        say(room, "alice", "I want a human");
        quiesce();

        assertThat(handoffs).containsExactly(ROOM + "|" + BOT + "|asks for a person");
        assertThat(llm.callCount).hasValue(0);
        assertThat(publisher.events()).isEmpty();
    }

    @Test
    void loneSurrogatesOfTheWebhooksAnswerBecomeReplacementCharacters() {
        webhook.answer = request -> request.trigger().content().equals("hi")
                ? new BotContextReply("Be \uD800kind\uDC00 \uD83D\uDE00\uD800", false, false, null)
                : new BotContextReply(null, true, true, "asks \uDBFF");
        say(room, "alice", "hi");
        LlmBotTestDouble.Call call = llm.nextCall();
        assertThat(call.request.systemPrompt()).isEqualTo("Be \uFFFDkind\uFFFD \uD83D\uDE00\uFFFD");
        call.end(LlmOutcome.STOP);
        quiesce();

        say(room, "alice", "a person please");
        quiesce();
        assertThat(handoffs).containsExactly(ROOM + "|" + BOT + "|asks \uFFFD");
    }

    @Test
    void aFailedWebhookKeepsTheBotSilentByDefault() {
        webhook.answer = request -> {
            throw new WebhookException("status 500");
        };
        say(room, "alice", "hi");
        quiesce();
        webhook.answer = request -> {
            throw new IllegalStateException("unreadable body");
        };
        say(room, "alice", "again");
        quiesce();

        assertThat(metrics.botWebhookFailures).hasValue(2);
        assertThat(llm.callCount).hasValue(0);
        assertThat(publisher.events()).isEmpty();
    }

    @Test
    void aFailedWebhookLetsTheBotAnswerWithoutPromptWhenSetToProceed() {
        service = service(true, 4);
        webhook.answer = request -> {
            throw new WebhookException("timed out");
        };
        llm.preset("hello", LlmOutcome.STOP);
        say(room, "alice", "hi");

        assertThat(llm.nextCall().request.systemPrompt()).isNull();
        assertThat(publisher.await(StreamEnd.class, e -> true).content()).isEqualTo("hello");
        assertThat(metrics.botWebhookFailures).hasValue(1);
    }

    static Stream<Arguments> outcomes() {
        return Stream.of(
                Arguments.of(new Object[] {"abc", LlmOutcome.STOP}, "stop", 0),
                Arguments.of(new Object[] {"ab", "c", LlmOutcome.LENGTH}, "length", 0),
                Arguments.of(new Object[] {LlmOutcome.STOP}, "empty", 0),
                Arguments.of(new Object[] {"partial", LlmOutcome.ERROR}, "llm_error", 1),
                Arguments.of(new Object[] {LlmOutcome.TIMEOUT}, "timeout", 1),
                Arguments.of(new Object[] {"x", new IllegalStateException("boom")}, "llm_error", 1));
    }

    @ParameterizedTest
    @MethodSource("outcomes")
    void everyLlmOutcomeEndsTheStreamOnce(Object[] steps, String expected, int failures) {
        llm.preset(steps);
        say(room, "alice", "hi");
        quiesce();

        List<ChatEvent> events = publisher.events();
        ChatEvent last = events.getLast();
        String id = PublisherBotTestDouble.messageIdOf(last);
        if (last instanceof StreamEnd end) {
            assertThat(end.finishReason()).isEqualTo(expected);
            assertThat(end.content()).isEqualTo("abc");
            assertThat(metrics.botReplies).hasValue(1);
        } else {
            assertThat(((StreamError) last).reason()).isEqualTo(expected);
            assertThat(messages.find(ROOM, id)).isEmpty();
            assertThat(metrics.botReplies).hasValue(0);
        }
        assertThat(events.getFirst()).isEqualTo(new StreamStart(ROOM, id, BOT));
        assertThat(metrics.botLlmFailures).hasValue(failures);
    }

    @Test
    void aReplyThatCannotBeStoredEndsWithAnError() {
        llm.preset("abc", LlmOutcome.STOP);
        Message trigger = messages.add(ROOM, "alice", "hi");
        messages.failAppends = true;
        service.onMessage(room, trigger);
        quiesce();

        assertThat(publisher.events().getLast()).isInstanceOfSatisfying(StreamError.class,
                e -> assertThat(e.reason()).isEqualTo("llm_error"));
    }

    @Test
    void aNewMessageSupersedesTheStreamingReplyAndKeepsItsText() {
        say(room, "alice", "first");
        LlmBotTestDouble.Call first = llm.nextCall();
        first.emit("par", "tial");
        String firstId = publisher.await(StreamDelta.class, d -> d.offset() == 3).messageId();

        say(room, "alice", "second");
        StreamEnd superseded = publisher.await(StreamEnd.class, e -> e.messageId().equals(firstId));
        assertThat(superseded.finishReason()).isEqualTo("superseded");
        assertThat(superseded.content()).isEqualTo("partial");
        assertThat(messages.find(ROOM, firstId).orElseThrow().content()).isEqualTo("partial");

        LlmBotTestDouble.Call second = llm.nextCall();
        assertThat(second.request.history()).containsExactly(new ChatTurn("user", "first"),
                new ChatTurn("user", "second"));
        second.emit("fine");
        second.end(LlmOutcome.STOP);
        StreamEnd next = publisher.await(StreamEnd.class, e -> !e.messageId().equals(firstId));
        assertThat(next.finishReason()).isEqualTo("stop");
        assertThat(next.content()).isEqualTo("fine");
    }

    @Test
    void aSupersededReplyWithoutTextEndsWithAnError() {
        say(room, "alice", "first");
        LlmBotTestDouble.Call first = llm.nextCall();
        String firstId = publisher.await(StreamStart.class, s -> true).messageId();
        say(room, "alice", "second");

        assertThat(publisher.await(StreamError.class, e -> e.messageId().equals(firstId)).reason())
                .isEqualTo("superseded");
        llm.nextCall().end(LlmOutcome.STOP);
        assertThat(first.request.history()).containsExactly(new ChatTurn("user", "first"));
    }

    @Test
    void aReplyStillWaitingOnTheWebhookIsDroppedSilentlyByANewerMessage() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        webhook.answer = request -> request.trigger().content().equals("first")
                ? WebhookBotTestDouble.gated(gate, WebhookBotTestDouble.PROMPT).answer(request)
                : WebhookBotTestDouble.PROMPT;
        say(room, "alice", "first");
        assertThat(webhook.requests.take().trigger().content()).isEqualTo("first");

        say(room, "alice", "second");
        LlmBotTestDouble.Call call = llm.nextCall();
        gate.countDown();
        call.emit("answer to second");
        call.end(LlmOutcome.STOP);
        quiesce();

        assertThat(call.request.history().getLast()).isEqualTo(new ChatTurn("user", "second"));
        assertThat(llm.callCount).hasValue(1);
        assertThat(publisher.events().stream().filter(StreamStart.class::isInstance)).hasSize(1);
    }

    @Test
    void aSupersededReplyWaitingOnTheWebhookGivesItsSlotBackAtOnce() {
        service = service(false, 1);
        webhook.hangs = request -> request.trigger().content().equals("first");
        say(room, "alice", "first");
        await(() -> webhook.requests.size() == 1, "the first reply asked the application");

        say(room, "alice", "second");
        LlmBotTestDouble.Call call = llm.pollCall(Duration.ofSeconds(3));
        assertThat(call).as("the newer reply took the only slot without waiting for the webhook").isNotNull();
        call.emit("answer to second");
        call.end(LlmOutcome.STOP);
        quiesce();

        assertThat(call.request.history().getLast()).isEqualTo(new ChatTurn("user", "second"));
        assertThat(metrics.botWebhookFailures).as("an aborted call is no failure of the application").hasValue(0);
    }

    @Test
    void aMemberCancelsAStreamingReplyAndItsTextIsKept() {
        say(room, "alice", "tell me a story");
        llm.nextCall().emit("Once upon");
        String id = publisher.await(StreamDelta.class, d -> true).messageId();

        assertThatThrownBy(() -> service.cancel(new Principal("mallory", Role.USER), ROOM, id))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> service.cancel(ALICE, ROOM, "msg_unknown"))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> service.cancel(ALICE, "room_missing", id))
                .isInstanceOfSatisfying(ChatException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));

        service.cancel(ALICE, ROOM, id);
        StreamEnd end = publisher.await(StreamEnd.class, e -> true);
        assertThat(end.finishReason()).isEqualTo("cancelled");
        assertThat(end.content()).isEqualTo("Once upon");
        assertThat(messages.find(ROOM, id)).isPresent();
    }

    @Test
    void anAdminCancelsAReplyBeforeAnyTextAndItEndsWithAnError() {
        say(room, "alice", "hi");
        llm.nextCall();
        String id = publisher.await(StreamStart.class, s -> true).messageId();

        service.cancel(new Principal("backend", Role.ADMIN), ROOM, id);
        assertThat(publisher.await(StreamError.class, e -> true).reason()).isEqualTo("cancelled");
    }

    @Test
    void handingTheRoomToAHumanEndsStreamingRepliesAndDropsWaitingOnes() {
        Room twoBots = room("room_2", BOT, "bot_2");
        CountDownLatch gate = new CountDownLatch(1);
        webhook.answer = request -> request.botId().equals("bot_2")
                ? WebhookBotTestDouble.gated(gate, WebhookBotTestDouble.PROMPT).answer(request)
                : WebhookBotTestDouble.PROMPT;
        say(twoBots, "alice", "hello");
        llm.nextCall().emit("Let me");
        String id = publisher.await(StreamDelta.class, d -> true).messageId();

        try (BotReplies.Hold hold = service.handingToHuman("room_2")) {
            rooms.setHandoff("room_2", new Handoff(HandoffState.HUMAN, "agent_1", null, "agent_1", NOW));
        }
        StreamEnd end = publisher.await(StreamEnd.class, e -> e.messageId().equals(id));
        assertThat(end.finishReason()).isEqualTo("handoff");
        assertThat(end.content()).isEqualTo("Let me");
        gate.countDown();
        quiesce();

        assertThat(llm.callCount).hasValue(1);
        assertThat(publisher.events().stream().filter(StreamStart.class::isInstance)).hasSize(1);
    }

    @Test
    void botsNeverAnswerBots() {
        Room twoBots = room("room_2", BOT, "bot_2");
        say(twoBots, BOT, "I am a bot");
        rooms.addMember(new Member("room_2", "bot_gone", MemberRole.BOT, NOW));
        say(twoBots, "bot_gone", "a bot member without a definition");
        quiesce();

        assertThat(webhook.requests).isEmpty();
        assertThat(llm.callCount).hasValue(0);
        assertThat(publisher.events()).isEmpty();
    }

    @Test
    void systemMarkersNeverTriggerBots() {
        say(room, Principal.SYSTEM, "Room handed back to the bot");
        quiesce();

        assertThat(webhook.requests).isEmpty();
        assertThat(llm.callCount).hasValue(0);
    }

    @Test
    void aRoomInHumanStateNeverTriggersBots() {
        rooms.setHandoff(ROOM, new Handoff(HandoffState.HUMAN, "agent_1", null, "agent_1", NOW));
        say(room, "alice", "hi");
        quiesce();

        assertThat(webhook.requests).isEmpty();
        assertThat(llm.callCount).hasValue(0);
        assertThat(publisher.events()).isEmpty();
    }

    @Test
    void aDeletedBotStaysSilent() {
        bots.delete(BOT);
        say(room, "alice", "hi");
        quiesce();

        assertThat(llm.callCount).hasValue(0);
        assertThat(publisher.events()).isEmpty();
    }

    @Test
    void activeListsStreamingRepliesWithTheirTextSoFar() throws InterruptedException {
        Room waiting = room("room_2", BOT);
        CountDownLatch gate = new CountDownLatch(1);
        webhook.answer = request -> request.roomId().equals("room_2")
                ? WebhookBotTestDouble.gated(gate, WebhookBotTestDouble.PROMPT).answer(request)
                : WebhookBotTestDouble.PROMPT;
        say(room, "alice", "hi");
        LlmBotTestDouble.Call call = llm.nextCall();
        call.emit("ab", "cd");
        String id = publisher.await(StreamDelta.class, d -> d.offset() == 2).messageId();
        say(waiting, "alice", "hi there");
        while (webhook.requests.take().roomId().equals(ROOM)) {
            // the question of room_1 came first; wait for the one of room_2
        }

        assertThat(service.active(List.of(ROOM, "room_2")))
                .containsExactly(new ActiveStream(ROOM, id, BOT, "abcd"));
        assertThat(service.active(List.of("room_other"))).isEmpty();
        call.end(LlmOutcome.STOP);
        publisher.await(StreamEnd.class, e -> e.messageId().equals(id));
        assertThat(service.active(List.of(ROOM))).isEmpty();
        gate.countDown();
        llm.nextCall().end(LlmOutcome.STOP);
    }

    @Test
    void aSnapshotHoldsExactlyTheDeltasPublishedBeforeIt() {
        String[] chunks = new String[3000];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = i % 3 == 0 ? "😀" : i % 3 == 1 ? "ab" : "c";
        }
        say(room, "alice", "go");
        LlmBotTestDouble.Call call = llm.nextCall();
        String id = publisher.await(StreamStart.class, s -> true).messageId();
        call.emit(chunks);

        int snapshots = 0;
        int seen = 0;
        while (seen < 5000) {
            int before = publisher.deltaChars();
            List<ActiveStream> active = service.active(List.of(ROOM));
            int after = publisher.deltaChars();
            assertThat(active).singleElement().satisfies(stream -> {
                assertThat(stream.messageId()).isEqualTo(id);
                assertThat(stream.text().length()).isBetween(before, after);
            });
            seen = active.getFirst().text().length();
            snapshots++;
        }
        call.end(LlmOutcome.STOP);
        assertThat(publisher.await(StreamEnd.class, e -> true).content()).hasSize(5000);
        assertThat(snapshots).isPositive();
    }

    @Test
    void repliesBeyondTheConcurrencyLimitWaitForASlot() {
        service = service(false, 1);
        Room other = room("room_2", BOT);
        say(room, "alice", "one");
        LlmBotTestDouble.Call first = llm.nextCall();
        say(other, "alice", "two");
        assertThat(llm.pollCall(Duration.ofMillis(300))).as("no second reply while the only slot is taken").isNull();

        first.end(LlmOutcome.STOP);
        LlmBotTestDouble.Call second = llm.nextCall();
        assertThat(second.request.history()).containsExactly(new ChatTurn("user", "two"));
        second.emit("done");
        second.end(LlmOutcome.STOP);
        quiesce();
    }

    @Test
    void aBotWhoseRepliesHoldThreeQuartersOfTheSlotsLeavesTheRestToOtherBots() {
        List<LlmBotTestDouble.Call> slow = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            say(room("room_slow" + i, BOT), "alice", "slow " + i);
            slow.add(llm.nextCall());
        }
        say(room("room_slow3", BOT), "alice", "slow 3");
        assertThat(llm.pollCall(Duration.ofMillis(300))).as("the slow bot's fourth reply waits").isNull();

        say(room("room_other", "bot_2"), "alice", "other");
        LlmBotTestDouble.Call other = llm.nextCall();
        assertThat(other.request.history()).containsExactly(new ChatTurn("user", "other"));
        other.end(LlmOutcome.STOP);

        slow.getFirst().end(LlmOutcome.STOP);
        LlmBotTestDouble.Call fourth = llm.nextCall();
        assertThat(fourth.request.history()).containsExactly(new ChatTurn("user", "slow 3"));
        fourth.end(LlmOutcome.STOP);
        slow.subList(1, 3).forEach(call -> call.end(LlmOutcome.STOP));
        quiesce();
    }

    @Test
    void shutdownEndsStreamingRepliesAndDropsWaitingOnes() {
        service = service(false, 1);
        Room other = room("room_2", BOT);
        say(room, "alice", "one");
        llm.nextCall().emit("half");
        String id = publisher.await(StreamDelta.class, d -> true).messageId();
        say(other, "alice", "two");

        service.shutdown(NOW.plusSeconds(10));
        assertThat(publisher.stream(id).getLast()).isEqualTo(new StreamError(ROOM, id, "shutdown"));
        assertThat(messages.find(ROOM, id)).isEmpty();
        assertThat(llm.callCount).hasValue(1);

        say(room, "alice", "after shutdown");
        assertThat(service.awaitIdle(Duration.ZERO)).isTrue();
        assertThat(llm.callCount).hasValue(1);
    }

    @Test
    void shutdownKeepsTheRepliesItCutOrKeptWaitingButNotASupersededOne() {
        service = service(false, 1);
        Room waiting = room("room_2", BOT);
        Message streamed = say(room, "alice", "one");
        llm.nextCall().emit("half");
        String id = publisher.await(StreamDelta.class, d -> true).messageId();
        say(waiting, "alice", "two");
        Message queued = say(waiting, "alice", "two, again");

        service.shutdown(NOW.plusSeconds(10));
        service.keepOwedForRestart();

        assertThat(publisher.stream(id).getLast()).isEqualTo(new StreamError(ROOM, id, "shutdown"));
        assertThat(owedReplies.take(100)).containsExactlyInAnyOrder(
                new OwedReply(ROOM, BOT, streamed.id(), NOW), new OwedReply(waiting.id(), BOT, queued.id(), NOW));
    }

    @Test
    void aMessageStoredWhileTheServerStopsOwesItsReply() {
        service.shutdown(NOW.plusSeconds(10));
        Message late = say(room, "alice", "sent as we stop");
        service.keepOwedForRestart();

        assertThat(llm.callCount).hasValue(0);
        assertThat(owedReplies.take(100)).containsExactly(new OwedReply(ROOM, BOT, late.id(), NOW));
    }

    @Test
    void aStopWhileTheKeptRepliesRunAgainKeepsThoseNotRunYet() throws Exception {
        List<OwedReply> kept = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Room in = room("room_k" + i, BOT);
            kept.add(new OwedReply(in.id(), BOT, messages.add(in.id(), "alice", "question " + i).id(), NOW));
        }
        // kept by two stops, the first one's never run: both stay, the re-run skips the older
        kept.add(new OwedReply("room_k0", BOT, messages.add("room_k0", "alice", "asked again").id(), NOW));
        owedReplies.keep(kept);
        CountDownLatch taking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        OwedReplyStore slowToTake = new OwedReplyStore() {
            @Override
            public void keep(Collection<OwedReply> replies) {
                owedReplies.keep(replies);
            }

            @Override
            public List<OwedReply> take(int max) {
                List<OwedReply> taken = owedReplies.take(max);
                taking.countDown();
                awaitThroughInterrupts(release); // the store answers after the stop has begun
                return taken;
            }
        };
        service = service(false, 4, BotReplyService.END_WAIT, slowToTake);

        service.resumeOwed();
        assertThat(taking.await(5, TimeUnit.SECONDS)).isTrue();
        service.shutdown(NOW);
        Thread.ofVirtual().start(() -> {
            sleep(Duration.ofMillis(200));
            release.countDown();
        });
        service.keepOwedForRestart();

        assertThat(llm.callCount).hasValue(0);
        assertThat(owedReplies.take(1_000)).as("taken and not run, or never taken: all kept")
                .containsExactlyInAnyOrderElementsOf(kept);
    }

    private static void awaitThroughInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shutdownEndsAReplyThatIgnoresItsCancelAtTheDeadline() {
        Streaming streaming = deafReply("hi", "x");
        LlmBotTestDouble.Call call = streaming.call();
        String id = streaming.messageId();

        service.shutdown(NOW.plusMillis(200));
        assertThat(publisher.stream(id).getLast()).isEqualTo(new StreamError(ROOM, id, "shutdown"));
        call.end(LlmOutcome.STOP);
        quiesce();
        assertThat(publisher.stream(id).stream().filter(e -> !(e instanceof StreamDelta)).toList())
                .containsExactly(new StreamStart(ROOM, id, BOT), new StreamError(ROOM, id, "shutdown"));
    }

    @Test
    void shutdownWaitsForAReplyStoringItsTextInsteadOfCallingItDropped() throws Exception {
        messages.appendGate = new CountDownLatch(1);
        say(room, "alice", "hi");
        LlmBotTestDouble.Call call = llm.nextCall();
        call.emit("abc");
        call.end(LlmOutcome.STOP);
        assertThat(messages.appending.await(5, TimeUnit.SECONDS)).as("the reply is storing").isTrue();
        String id = publisher.await(StreamDelta.class, d -> true).messageId();

        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            messages.appendGate.countDown();
        });
        service.shutdown(NOW.plusMillis(100));

        assertThat(messages.find(ROOM, id)).map(Message::content).hasValue("abc");
        assertThat(publisher.stream(id).getLast()).isInstanceOf(StreamEnd.class);
        assertThat(publisher.stream(id)).noneMatch(StreamError.class::isInstance);
    }

    @Test
    void aReplyWhoseTriggerIsDeletedWhileTheApplicationAnswersNeverCallsTheLlm() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        webhook.answer = WebhookBotTestDouble.gated(gate, WebhookBotTestDouble.PROMPT);
        Message trigger = say(room, "alice", "my password is hunter2");
        assertThat(webhook.requests.poll(5, TimeUnit.SECONDS)).isNotNull();

        messages.delete(ROOM, trigger.id());
        service.onMessageDeleted(ROOM, trigger.id());
        gate.countDown();
        quiesce();

        assertThat(llm.callCount).hasValue(0);
        assertThat(publisher.events()).noneMatch(StreamStart.class::isInstance);
    }

    @Test
    void aTriggerDeletedBeforeItsReplyWasRegisteredIsCaughtBeforeTheLlm() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        webhook.answer = WebhookBotTestDouble.gated(gate, WebhookBotTestDouble.PROMPT);
        Message trigger = say(room, "alice", "take this back");
        assertThat(webhook.requests.poll(5, TimeUnit.SECONDS)).isNotNull();

        messages.delete(ROOM, trigger.id()); // deleted, and the pipeline not told
        gate.countDown();
        quiesce();

        assertThat(llm.callCount).hasValue(0);
        assertThat(publisher.events()).noneMatch(StreamStart.class::isInstance);
    }

    @Test
    void aStreamingReplyWhoseTriggerIsDeletedEndsCancelledAndStoresNothing() {
        Message trigger = say(room, "alice", "hi");
        LlmBotTestDouble.Call call = llm.nextCall();
        call.emit("partial");
        String id = publisher.await(StreamDelta.class, d -> true).messageId();

        messages.delete(ROOM, trigger.id());
        service.onMessageDeleted(ROOM, trigger.id());
        assertThat(publisher.await(StreamError.class, e -> e.messageId().equals(id)))
                .isEqualTo(new StreamError(ROOM, id, "cancelled"));
        call.end(LlmOutcome.CANCELLED);
        quiesce();
        assertThat(messages.find(ROOM, id)).isEmpty();
    }

    @Test
    void surrogatesWithoutTheirPartnerFromTheLlmBecomeReplacementCharacters() {
        say(room, "alice", "hi");
        LlmBotTestDouble.Call call = llm.nextCall();
        call.emit("p\uDE00z ");
        call.emit("a\uD800");
        call.emit("b \uD83D");
        call.emit("\uDE00!\uD83D");
        call.end(LlmOutcome.STOP);

        StreamEnd end = publisher.await(StreamEnd.class, e -> true);
        assertThat(end.content()).isEqualTo("p\uFFFDz a\uFFFDb \uD83D\uDE00!\uFFFD");
        assertThat(publisher.stream(end.messageId()).stream().filter(StreamDelta.class::isInstance)
                .map(e -> ((StreamDelta) e).delta()).reduce("", String::concat)).isEqualTo(end.content());
    }

    @Test
    void aFirstHalfHeldBackWhenTheCallFailsIsDroppedNotReplaced() {
        say(room, "alice", "hi");
        LlmBotTestDouble.Call call = llm.nextCall();
        call.emit("ab\uD83D");
        String id = publisher.await(StreamDelta.class, d -> true).messageId();
        call.end(LlmOutcome.ERROR);

        publisher.await(StreamError.class, e -> e.messageId().equals(id));
        assertThat(publisher.stream(id).stream().filter(StreamDelta.class::isInstance)
                .map(e -> ((StreamDelta) e).delta()).reduce("", String::concat)).isEqualTo("ab");
    }

    @Test
    void aDuplicateNotificationOfTheSameMessageIsIgnored() {
        llm.preset("once", LlmOutcome.STOP);
        Message trigger = say(room, "alice", "hi");
        service.onMessage(room, trigger);
        quiesce();

        assertThat(llm.callCount).hasValue(1);
        assertThat(publisher.events().stream().filter(StreamEnd.class::isInstance)).hasSize(1);
    }

    /** The events published to {@code userId}, in order. */
    private List<ChatEvent> seenBy(String userId) {
        return publisher.published().stream().filter(p -> p.userIds().contains(userId))
                .map(PublisherBotTestDouble.Published::event).toList();
    }

    private void join(String userId) {
        rooms.addMember(new Member(ROOM, userId, MemberRole.MEMBER, NOW));
        service.onMemberAdded(ROOM, userId);
    }

    private void leave(String userId) {
        departed.add(userId);
        rooms.removeMember(ROOM, userId);
        service.onMemberRemoved(ROOM, userId);
    }

    @Test
    void aMemberWhoLeavesGetsNoFurtherEventOfTheStreamingReply() {
        say(room, "alice", "tell me a secret");
        LlmBotTestDouble.Call call = llm.nextCall();
        call.emit("ab");
        String id = publisher.await(StreamDelta.class, d -> true).messageId();

        leave("bob");
        call.emit("cd");
        call.end(LlmOutcome.STOP);
        StreamEnd end = publisher.await(StreamEnd.class, e -> true);

        assertThat(end.content()).isEqualTo("abcd");
        assertThat(seenBy("bob")).containsExactly(new StreamStart(ROOM, id, BOT), new StreamDelta(ROOM, id, "ab", 0));
        assertThat(seenBy("alice")).hasSize(4);
    }

    @Test
    void aMemberWhoLeavesBeforeTheReplyStartsNeverHearsOfIt() throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        webhook.answer = WebhookBotTestDouble.gated(gate, WebhookBotTestDouble.PROMPT);
        say(room, "alice", "hi");
        assertThat(webhook.requests.poll(10, TimeUnit.SECONDS)).isNotNull();
        leave("bob");
        join("carol");
        gate.countDown();
        llm.nextCall().end(LlmOutcome.STOP);
        publisher.await(StreamError.class, e -> true);

        assertThat(seenBy("bob")).isEmpty();
        assertThat(publisher.published()).allSatisfy(p -> assertThat(p.userIds()).containsExactly("alice", "carol"));
    }

    @Test
    void aMemberWhoJoinsMidStreamGetsTheTextSoFarThenTheLiveDeltasAndTheEnd() {
        say(room, "alice", "go");
        LlmBotTestDouble.Call call = llm.nextCall();
        call.emit("ab", "c");
        String id = publisher.await(StreamDelta.class, d -> d.offset() == 2).messageId();

        join("carol");
        call.emit("de");
        call.end(LlmOutcome.STOP);
        StreamEnd end = publisher.await(StreamEnd.class, e -> true);

        assertThat(seenBy("carol")).containsExactly(new StreamStart(ROOM, id, BOT),
                new StreamDelta(ROOM, id, "abc", 0), new StreamDelta(ROOM, id, "de", 3), end);
        assertThat(end.content()).isEqualTo("abcde");
        join("dave");
        assertThat(seenBy("dave")).as("nothing after the end").isEmpty();
    }

    @Test
    void aMemberWhoJoinsMidStreamAlsoGetsAnErrorEnding() {
        say(room, "alice", "go");
        LlmBotTestDouble.Call call = llm.nextCall();
        String id = publisher.await(StreamStart.class, s -> true).messageId();

        join("carol");
        call.emit("ab");
        call.end(LlmOutcome.ERROR);
        publisher.await(StreamError.class, e -> true);

        assertThat(seenBy("carol")).containsExactly(new StreamStart(ROOM, id, BOT), new StreamDelta(ROOM, id, "ab", 0),
                new StreamError(ROOM, id, "llm_error"));
    }

    @Test
    void noReplyStartsWhileTheRoomIsBeingHandedOverAndRepliesAgainWhenTheHandoffWasNotStored() {
        try (BotReplies.Hold hold = service.handingToHuman(ROOM)) {
            say(room, "alice", "while the handoff is being stored");
            quiesce();
            assertThat(llm.callCount).as("the stored state still says bot").hasValue(0);
        }
        say(room, "alice", "the handoff failed to store");
        llm.nextCall().emit("here again");
        publisher.await(StreamDelta.class, d -> d.delta().equals("here again"));
        assertThat(llm.callCount).hasValue(1);
    }

    @Test
    void aMemberAddedWithoutNoticeGetsTheStartAndTheTextBeforeTheEnd() {
        say(room, "alice", "help");
        LlmBotTestDouble.Call call = llm.nextCall();
        call.emit("let me");
        String id = publisher.await(StreamDelta.class, d -> true).messageId();

        rooms.addMember(new Member(ROOM, "agent_1", MemberRole.AGENT, NOW)); // as a handoff adds its agent
        try (BotReplies.Hold hold = service.handingToHuman(ROOM)) {
            rooms.setHandoff(ROOM, new Handoff(HandoffState.HUMAN, "agent_1", null, "agent_1", NOW));
        }
        StreamEnd end = publisher.await(StreamEnd.class, e -> true);

        assertThat(end.finishReason()).isEqualTo("handoff");
        assertThat(seenBy("agent_1")).containsExactly(new StreamStart(ROOM, id, BOT),
                new StreamDelta(ROOM, id, "let me", 0), end);
    }

    @Test
    void aSupersedingReplyStartsOnlyAfterTheOldOneEnded() {
        Streaming streaming = deafReply("first", "par");
        LlmBotTestDouble.Call first = streaming.call();
        String firstId = streaming.messageId();
        llm.deafToCancel = false;

        say(room, "alice", "second");
        assertThat(webhook.requests.poll()).isNotNull();
        await(() -> webhook.requests.size() == 1, "the second reply asked the application");
        assertThat(llm.pollCall(Duration.ofMillis(300))).as("no new reply while the old one streams").isNull();
        first.emit("tial");
        first.end(LlmOutcome.STOP);
        LlmBotTestDouble.Call second = llm.nextCall();
        second.end(LlmOutcome.STOP);
        quiesce();

        List<ChatEvent> events = publisher.events();
        StreamEnd superseded = publisher.await(StreamEnd.class, e -> e.messageId().equals(firstId));
        assertThat(superseded.finishReason()).isEqualTo("superseded");
        assertThat(superseded.content()).isEqualTo("par");
        StreamStart next = publisher.await(StreamStart.class, e -> !e.messageId().equals(firstId));
        assertThat(events.indexOf(superseded)).isLessThan(events.indexOf(next));
    }

    @Test
    void anOldReplyThatDoesNotStopInTimeIsEndedBeforeTheNewOneStarts() {
        service = service(false, 4, Duration.ofMillis(200));
        Streaming streaming = deafReply("first", "par");
        LlmBotTestDouble.Call first = streaming.call();
        String firstId = streaming.messageId();
        llm.deafToCancel = false;

        say(room, "alice", "second");
        LlmBotTestDouble.Call second = llm.nextCall();
        List<ChatEvent> events = publisher.events();
        StreamError abandoned = new StreamError(ROOM, firstId, "superseded");
        assertThat(events).contains(abandoned);
        StreamStart next = publisher.await(StreamStart.class, e -> !e.messageId().equals(firstId));
        assertThat(events.indexOf(abandoned)).isLessThan(events.indexOf(next));

        first.emit("tial");
        first.end(LlmOutcome.STOP);
        second.end(LlmOutcome.STOP);
        quiesce();
        assertThat(messages.find(ROOM, firstId)).as("an abandoned reply stores nothing").isEmpty();
        assertThat(publisher.stream(firstId)).filteredOn(e -> !(e instanceof StreamDelta)).hasSize(2);
    }

    @Test
    void deletingABotEndsItsRepliesWithACancelledErrorAndStoresNothing() {
        Room waiting = room("room_2", BOT);
        CountDownLatch gate = new CountDownLatch(1);
        webhook.answer = request -> request.roomId().equals("room_2")
                ? WebhookBotTestDouble.gated(gate, WebhookBotTestDouble.PROMPT).answer(request)
                : WebhookBotTestDouble.PROMPT;
        say(room, "alice", "help");
        llm.nextCall().emit("partial");
        String id = publisher.await(StreamDelta.class, d -> true).messageId();
        say(waiting, "alice", "hello");
        await(() -> webhook.requests.size() == 2, "both replies asked the application");

        bots.delete(BOT);
        rooms.removeMember(ROOM, BOT);
        rooms.removeMember("room_2", BOT);
        service.onBotDeleted(BOT);
        gate.countDown();
        quiesce();

        assertThat(publisher.stream(id).getLast()).isEqualTo(new StreamError(ROOM, id, "cancelled"));
        assertThat(messages.all(ROOM)).extracting(Message::senderId).doesNotContain(BOT);
        assertThat(messages.all("room_2")).extracting(Message::senderId).doesNotContain(BOT);
        assertThat(llm.callCount).hasValue(1);
    }

    @Test
    void deletingABotWaitsForAReplyAlreadyBeingStored() throws InterruptedException {
        replyHeldAtItsStore("done");

        Thread deleting = Thread.ofPlatform().start(() -> service.onBotDeleted(BOT));
        await(() -> deleting.getState() == Thread.State.TIMED_WAITING, "the deletion waits for the store");
        messages.appendGate.countDown();
        deleting.join(10_000);

        assertThat(deleting.isAlive()).isFalse();
        assertThat(publisher.events().getLast()).isInstanceOfSatisfying(StreamEnd.class,
                e -> assertThat(e.content()).isEqualTo("done"));
    }

    @Test
    void aReplysEndGoesOutAfterEveryEarlierMessageOfTheRoomAndBeforeEveryLaterOne() throws InterruptedException {
        replyHeldAtItsStore("done");
        // bob's message commits just before the reply; his sender's thread has not reported it yet
        messages.added = message -> { };
        OrderedRoomEvents.Turn bobsTurn = ordered.appending(ROOM);
        Message bobs = messages.add(ROOM, "bob", "one more thing");
        messages.appendGate.countDown();

        Thread.sleep(300);
        assertThat(publisher.events()).as("no end while bob's message is unpublished")
                .noneMatch(StreamEnd.class::isInstance);
        // alice's next message commits after the reply and is reported at once
        OrderedRoomEvents.Turn alicesTurn = ordered.appending(ROOM);
        Message alices = messages.add(ROOM, "alice", "and another");
        alicesTurn.committed(alices.seq(), List.of("alice"), new ChatEvent.MessageCreated(alices, false));
        assertThat(publisher.events()).as("alice's message waits for the reply's end")
                .noneMatch(ChatEvent.MessageCreated.class::isInstance);
        bobsTurn.committed(bobs.seq(), List.of("alice"), new ChatEvent.MessageCreated(bobs, false));

        StreamEnd end = publisher.await(StreamEnd.class, e -> true);
        assertThat(end.seq()).isEqualTo(bobs.seq() + 1).isEqualTo(alices.seq() - 1);
        assertThat(publisher.events()).filteredOn(e -> !(e instanceof StreamDelta) && !(e instanceof StreamStart))
                .containsExactly(new ChatEvent.MessageCreated(bobs, false), end,
                        new ChatEvent.MessageCreated(alices, false));
        quiesce();
    }

    /** Starts a reply to alice that streams {@code text}, then holds it at its store until the append gate opens. */
    private void replyHeldAtItsStore(String text) throws InterruptedException {
        messages.appendGate = new CountDownLatch(1);
        llm.preset(text, LlmOutcome.STOP);
        say(room, "alice", "hi");
        assertThat(messages.appending.await(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Polls {@code condition} for up to ten seconds. */
    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PublisherBotTestDouble.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** A reply that did not stop when cancelled, and its id. */
    private record Streaming(LlmBotTestDouble.Call call, String messageId) {
    }

    /** Alice says {@code text} to an LLM that ignores cancels, which streams {@code emitted}; its first delta is out. */
    private Streaming deafReply(String text, String emitted) {
        llm.deafToCancel = true;
        say(room, "alice", text);
        LlmBotTestDouble.Call call = llm.nextCall();
        call.emit(emitted);
        return new Streaming(call, publisher.await(StreamDelta.class, d -> true).messageId());
    }
}
