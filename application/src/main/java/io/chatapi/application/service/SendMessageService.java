package io.chatapi.application.service;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.in.SendMessageUseCase;
import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.HandoffPolicy;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Sends a human message: validate, rate-limit, take the room for an agent, store, fan out, trigger bots. */
public final class SendMessageService implements SendMessageUseCase {
    /** How long a repeat waits for the first send of its client_msg_id (a store that slow is failing anyway). */
    private static final Duration FIRST_SEND_WAIT = Duration.ofSeconds(30);
    /**
     * How often an agent's send takes the room from its bot again when it finds it handed back meanwhile; the
     * last attempt stores the message as the room then is.
     */
    private static final int MAX_TAKEOVER_ATTEMPTS = 3;
    /**
     * A message's {@code meta} travels with it everywhere (every live delivery, history page and resume replay):
     * bounded like a room's metadata, so that one member cannot make each of those carry a megabyte.
     */
    static final int MAX_META_CHARS = 65_536;
    private final CachingRoomStore rooms;
    private final MessageStore messages;
    private final OfflineDeliveries offline;
    private final OrderedRoomEvents events;
    private final RateLimiter limiter;
    private final HandoffService handoff;
    private final BotReplies bots;
    private final TimeSource clock;
    private final ChatSettings settings;
    private final ServerMetrics metrics;
    /** The sends with a client_msg_id being handled now, each until it is stored or refused. */
    private final ConcurrentHashMap<SendKey, CompletableFuture<Appended>> inFlight = new ConcurrentHashMap<>();

    public SendMessageService(CachingRoomStore rooms, MessageStore messages, OfflineDeliveries offline,
                              OrderedRoomEvents events, RateLimiter limiter, HandoffService handoff, BotReplies bots,
                              TimeSource clock, ChatSettings settings, ServerMetrics metrics) {
        this.rooms = rooms;
        this.messages = messages;
        this.offline = offline;
        this.events = events;
        this.limiter = limiter;
        this.handoff = handoff;
        this.bots = bots;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public Appended send(Principal caller, SendMessage command) {
        String clientMsgId = command.clientMsgId();
        if (clientMsgId != null && (clientMsgId.isEmpty()
                || clientMsgId.length() > ChatSettings.MAX_CLIENT_MSG_ID_CHARS)) {
            throw ChatException.invalid("client_msg_id must be 1 to " + ChatSettings.MAX_CLIENT_MSG_ID_CHARS
                    + " UTF-16 code units");
        }
        if (command.roomId() == null || command.roomId().isBlank()) {
            throw ChatException.invalid("room_id is required");
        }
        if (clientMsgId == null) {
            return sendChecked(caller, command, null);
        }
        // A repeat that arrives while the first send of its client_msg_id is being stored (two sockets of one
        // user, or a client retrying at once) waits for it and answers with its message: it would otherwise find
        // nothing stored yet and be decided on its own (rate-limited, say) while the first one is stored.
        SendKey key = new SendKey(command.roomId(), caller.userId(), clientMsgId);
        while (true) {
            CompletableFuture<Appended> mine = new CompletableFuture<>();
            CompletableFuture<Appended> first = inFlight.putIfAbsent(key, mine);
            if (first == null) {
                try {
                    Appended appended = sendChecked(caller, command, clientMsgId);
                    mine.complete(appended);
                    return appended;
                } catch (RuntimeException | Error e) {
                    mine.completeExceptionally(e);
                    throw e;
                } finally {
                    inFlight.remove(key, mine);
                }
            }
            Optional<Appended> stored = awaitFirst(first);
            if (stored.isPresent()) {
                return new Appended(stored.get().message(), true);
            }
            // the first send was refused or failed: this one is decided on its own
        }
    }

    private record SendKey(String roomId, String senderId, String clientMsgId) {
    }

    private static Optional<Appended> awaitFirst(CompletableFuture<Appended> first) {
        try {
            return Optional.of(first.get(FIRST_SEND_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            return Optional.empty();
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("a send with this client_msg_id is still being stored", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while a send with this client_msg_id was stored", e);
        }
    }

    private Appended sendChecked(Principal caller, SendMessage command, String clientMsgId) {
        Room room = rooms.findForChecks(command.roomId())
                .orElseThrow(() -> ChatException.notFound("room not found"));
        List<Member> members = rooms.members(room.id());
        boolean member = includes(members, caller.userId());
        try {
            MessageText.requireContent(command.content(), settings.maxMessageChars());
            MessageText.requireAtMost("meta", command.meta(), MAX_META_CHARS);
            RoomAccess.require(RoomAccess.canUse(caller, member), "not a member of this room");
        } catch (ChatException refused) {
            // A repeat of a send that was stored answers with the original, whatever its body or the sender's
            // membership now (PROTOCOL §4: never an error); only a first send is refused.
            return original(room.id(), caller.userId(), clientMsgId).orElseThrow(() -> refused);
        }

        Duration wait = limiter.acquire(caller.userId());
        if (!wait.isZero()) {
            Optional<Appended> original = original(room.id(), caller.userId(), clientMsgId);
            if (original.isPresent()) {
                return original.get();
            }
            metrics.rateLimited.incrementAndGet();
            throw ChatException.rateLimited(wait);
        }

        MessageDraft draft = new MessageDraft(Ids.message(), room.id(), caller.userId(), command.content(),
                MessageText.emptyToNull(command.meta()), clientMsgId, clock.now());
        OfflinePlan plan = null;
        Appended appended = null;
        boolean takesOver = agentTakesOver(caller, room, members);
        for (int attempt = 1; appended == null; attempt++) {
            if (takesOver && original(room.id(), caller.userId(), clientMsgId).isEmpty()) {
                room = handoff.takeOver(room, caller);
                // stamped after the marker the takeover wrote, so that a transcript sorted by time keeps the order
                draft = new MessageDraft(draft.id(), draft.roomId(), draft.senderId(), draft.content(), draft.meta(),
                        draft.clientMsgId(), clock.now());
            }
            // The members and the handoff state as they are while the message is stored and published: a member
            // added or removed, or a handoff, meanwhile is on the side of the change that came first (a member
            // removed before the store gets nothing of it; a room handed back to its bot just before the store
            // has its bot answer, one handed to a human just after has it stay silent).
            try (CachingRoomStore.MembersHold held = rooms.holdMembers(room.id())) {
                members = rooms.members(room.id());
                room = rooms.findForChecks(room.id()).orElse(room);
                String sender = caller.userId();
                if (!RoomAccess.canUse(caller, includes(members, sender))) {
                    limiter.refund(sender);
                    return original(room.id(), sender, clientMsgId)
                            .orElseThrow(() -> ChatException.forbidden("not a member of this room"));
                }
                takesOver = agentTakesOver(caller, room, members);
                if (attempt < MAX_TAKEOVER_ATTEMPTS && takesOver
                        && original(room.id(), sender, clientMsgId).isEmpty()) {
                    continue; // handed back to the bot since the check: the agent takes the room first, again
                }
                plan = offline.planFor(room, members, sender);
                try (OrderedRoomEvents.Turn turn = events.appending(room.id())) {
                    appended = messages.append(draft, plan);
                    if (appended.duplicate()) {
                        limiter.refund(sender); // a repeat sends nothing new, so it costs the sender nothing
                        return appended;
                    }
                    metrics.messagesSent.incrementAndGet();
                    Message stored = appended.message();
                    OfflinePlan published = plan;
                    turn.committed(stored.seq(), MessageText.userIds(members), () -> published.published(stored),
                            new ChatEvent.MessageCreated(stored, false));
                }
            }
        }
        offline.committed(plan);
        if (!takesOver) {
            bots.onMessage(room, appended.message()); // never for an agent's message: the bot never talks over one
        }
        return appended;
    }

    /** Whether an agent's message finds the room its bot's: only an agent's send looks through the members. */
    private static boolean agentTakesOver(Principal caller, Room room, List<Member> members) {
        String agent = room.handoff().agentId();
        return caller.isAgent() && HandoffPolicy.agentTakesOver(caller, room,
                members.stream().anyMatch(m -> m.role() == MemberRole.BOT), agent != null && includes(members, agent));
    }

    private static boolean includes(List<Member> members, String userId) {
        return members.stream().anyMatch(m -> m.userId().equals(userId));
    }

    private Optional<Appended> original(String roomId, String senderId, String clientMsgId) {
        if (clientMsgId == null) {
            return Optional.empty();
        }
        return messages.findByClientId(roomId, senderId, clientMsgId).map(m -> new Appended(m, true));
    }
}
