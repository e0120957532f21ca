package io.chatapi.application.service;

import io.chatapi.application.port.in.HandoffUseCase;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.DeliveryPlan;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.OutboxItem;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.application.port.out.WebhookEvent;
import io.chatapi.application.port.out.WebhookSender;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.HandoffState;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import io.chatapi.domain.WhiteSpace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Moves a room between its bots and a human agent: stores the state, writes a system marker into the
 * history, tells the room and the webhook, and stops bot replies that are streaming. Changes of one room
 * are serialised, each deciding on the state the one before left: of concurrent identical requests one
 * changes the room and the others are no-ops. Thread-safe.
 */
public final class HandoffService implements HandoffUseCase {
    static final String ROOM_HANDOFF = "room.handoff";
    /** The longest reason given with a handoff; it travels with the room and in the handoff marker's meta. */
    static final int MAX_REASON_CHARS = 1_000;

    private final RoomStore rooms;
    private final OfflineDeliveries offline;
    private final OrderedRoomEvents events;
    private final WebhookSender webhook;
    private final TimeSource clock;
    private final int maxMembers;
    private final UserLimit changes;
    private final LockStripes roomLocks = new LockStripes(64);
    private volatile BotReplies bots;

    /**
     * {@code changes} limits each agent's changes (admins are not limited); {@code maxMembers} is the room size a
     * handoff may take its agent past, by one: a full room is still handed to an agent, but one already past it
     * gains no further agent.
     */
    public HandoffService(RoomStore rooms, OfflineDeliveries offline, OrderedRoomEvents events,
                          WebhookSender webhook, TimeSource clock, int maxMembers, UserLimit changes) {
        this.rooms = rooms;
        this.offline = offline;
        this.events = events;
        this.webhook = webhook;
        this.clock = clock;
        this.maxMembers = maxMembers;
        this.changes = changes;
    }

    private <T> T locked(String roomId, Supplier<T> change) {
        return roomLocks.locked(roomId, change);
    }

    /** Connects the bot pipeline, whose streaming replies a handoff ends (set once while wiring). */
    public void setBots(BotReplies bots) {
        this.bots = bots;
    }

    @Override
    public Room change(Principal caller, String roomId, ChangeHandoff command) {
        RoomAccess.require(AccessPolicy.canChangeHandoff(caller), "only admins and agents change the handoff state");
        HandoffState state = HandoffState.parse(command.state())
                .orElseThrow(() -> ChatException.invalid("state must be \"bot\" or \"human\""));
        MessageText.requireAtMost("agent_id", command.agentId(), Principal.MAX_USER_ID_CHARS);
        MessageText.requireAtMost("reason", command.reason(), MAX_REASON_CHARS);
        String named = command.agentId() == null || command.agentId().isEmpty() ? null : command.agentId();
        if (named != null && WhiteSpace.only(named)) {
            throw ChatException.invalid("agent_id must not be white space only");
        }
        String agentId = null;
        if (state == HandoffState.HUMAN) {
            agentId = named != null ? named : caller.isAgent() ? caller.userId() : null;
        }
        String agent = agentId;
        changes.take(caller);
        boolean[] changed = {false};
        try {
            return locked(roomId, () -> changeLocked(caller, roomId, state, agent, command.reason(), changed));
        } finally {
            if (!changed[0]) {
                changes.refund(caller); // refused, or a no-op: it costs the agent nothing
            }
        }
    }

    private Room changeLocked(Principal caller, String roomId, HandoffState state, String agent, String reasonGiven,
                              boolean[] changed) {
        Room room = new RoomAccess(rooms).room(roomId);
        if (Principal.SYSTEM.equals(agent)) {
            throw ChatException.invalid("agent_id \"system\" is reserved for the server");
        }
        if (agent != null && Principal.reservedId(agent)) {
            throw ChatException.invalid("agent_id names a bot, not a human agent");
        }
        if (agent != null && room.type() == RoomType.DM && rooms.member(roomId, agent).isEmpty()
                && rooms.members(roomId).stream().noneMatch(m -> m.role() == MemberRole.BOT)) {
            // a dm gains an agent only from a bot (the support set-up); two people's dm stays theirs
            throw ChatException.invalid("a dm without a bot is not handed to an agent who is not in it");
        }
        // An agent who left or was removed has the room no more: handing it to them again adds them back, and an
        // admin naming no agent then leaves it with none. Otherwise an admin naming no agent only changes the
        // state: a room already with a human keeps its agent.
        String current = room.handoff().agentId();
        boolean currentIn = current != null && rooms.member(roomId, current).isPresent();
        String kept = agent == null && state == HandoffState.HUMAN && room.handoff().state() == state && currentIn
                ? current : agent;
        String reason = MessageText.blankToNull(reasonGiven);
        // a request naming no reason does not take the current one away; naming another one is a change
        boolean sameReason = reason == null || reason.equals(room.handoff().reason());
        boolean keptIn = kept != null && (kept.equals(current) ? currentIn : rooms.member(roomId, kept).isPresent());
        // the same hands: at most the reason changes, and the room has been in them since it came to them
        boolean sameHands = room.handoff().state() == state && Objects.equals(current, kept)
                && (kept == null || keptIn);
        if (sameHands && sameReason) {
            return room;
        }
        if (kept != null && !keptIn && rooms.members(roomId).size() > maxMembers) {
            throw RoomStore.full(maxMembers); // past the size by an agent already: the next one is not let in
        }
        Instant since = sameHands ? room.handoff().since() : clock.now();
        Room updated = apply(room, new Handoff(state, kept, reason, caller.userId(), since), sameHands);
        changed[0] = true;
        return updated;
    }

    /**
     * An agent writes in a room its bots answer, or one handed to a human with no agent named: the agent takes the
     * room first, unless another agent has it meanwhile (then the room as it is now). A room already with a human
     * keeps the reason it was handed over for.
     */
    Room takeOver(Room room, Principal agent) {
        return locked(room.id(), () -> {
            Room now = rooms.find(room.id()).orElseThrow(() -> ChatException.notFound("room not found"));
            Handoff current = now.handoff();
            if (current.human() && current.agentId() != null && rooms.member(now.id(), current.agentId()).isPresent()) {
                return now;
            }
            String reason = current.human() ? current.reason() : null;
            return apply(now, new Handoff(HandoffState.HUMAN, agent.userId(), reason, agent.userId(), clock.now()),
                    false);
        });
    }

    /**
     * A bot's webhook answered skip with a handoff: the room goes to a human, {@code by} the bot. A reason longer
     * than {@link #MAX_REASON_CHARS} is cut to that length (the application's answer cannot be refused).
     */
    public void handToHuman(String roomId, String botId, String reason) {
        String kept = MessageText.atMost(MessageText.blankToNull(reason), MAX_REASON_CHARS);
        locked(roomId, () -> rooms.find(roomId).filter(room -> !room.handoff().human()).map(room ->
                apply(room, new Handoff(HandoffState.HUMAN, null, kept, botId, clock.now()), false)));
    }

    /**
     * Stores the handoff, its agent's membership and its marker in one transaction, so that a failure or a
     * crash leaves either all of it or none (and a retry is not taken for a no-op); replies streaming in the
     * room are ended first, under a hold that keeps new ones from starting until the state is stored.
     */
    private Room apply(Room room, Handoff handoff, boolean reasonOnly) {
        BotReplies pipeline = bots;
        try (BotReplies.Hold held = handoff.human() && pipeline != null ? pipeline.handingToHuman(room.id()) : null) {
            Member agent = null;
            List<Member> members = rooms.members(room.id());
            if (handoff.agentId() != null && members.stream().noneMatch(m -> m.userId().equals(handoff.agentId()))) {
                if (room.type() == RoomType.DM && rooms.keptOut(room.id(), handoff.agentId())) {
                    throw ChatException.forbidden("an admin removed them from this dm: only an admin adds them back");
                }
                agent = new Member(room.id(), handoff.agentId(), MemberRole.AGENT, handoff.since());
                members = new ArrayList<>(members);
                members.add(agent);
            }
            Room updated = room.withHandoff(handoff);
            List<String> audience = MessageText.userIds(members);
            // stamped now, after the wait for streaming replies: a reply the handoff cut off is stored before the
            // marker, and a transcript sorted by time keeps that order
            var draft = new MessageDraft(Ids.message(), room.id(), Principal.SYSTEM, describe(handoff, reasonOnly),
                    meta(handoff), null, later(handoff.since(), clock.now()));
            OfflinePlan offlinePlan = offline.planFor(updated, members, Principal.SYSTEM);
            DeliveryPlan plan = stored -> {
                DeliveryPlan.Deliveries base = offlinePlan.plan(stored);
                if (!webhook.enabled()) {
                    return base;
                }
                List<OutboxItem> hooks = new ArrayList<>(base.webhooks());
                hooks.add(new OutboxItem(Ids.next("wh_"), ROOM_HANDOFF, null, room.id(), stored.id(), stored.seq(),
                        webhook.encode(new WebhookEvent.RoomHandoff(room.id(), handoff))));
                return new DeliveryPlan.Deliveries(base.offlineRecipients(), hooks);
            };
            Message stored;
            try (OrderedRoomEvents.Turn turn = events.appending(room.id())) {
                stored = rooms.handOver(handoff, agent, draft, plan).message();
                Message marker = stored;
                turn.committed(stored.seq(), audience, () -> offlinePlan.published(marker),
                        new ChatEvent.RoomHandoff(room.id(), handoff), new ChatEvent.MessageCreated(stored, false));
            }
            offline.committed(offlinePlan);
            if (webhook.enabled()) {
                offline.wakeOutbox(); // the room.handoff webhook
            }
            return updated.withStored(stored.seq()); // last_seq counts the marker
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** The marker's text, with the reason when there is one: a change of the reason alone reads as one. */
    private static String describe(Handoff handoff, boolean reasonOnly) {
        String change;
        if (reasonOnly) {
            change = "Handoff reason changed";
        } else if (handoff.human()) {
            change = handoff.agentId() != null ? "Conversation handed to " + handoff.agentId()
                    : "Conversation handed to a human agent";
        } else {
            change = "Conversation handed back to the bot";
        }
        return handoff.reason() != null ? change + ": " + handoff.reason() : change;
    }

    private static String meta(Handoff handoff) {
        StringBuilder sb = new StringBuilder("{\"kind\":\"handoff\",\"state\":").append(Json.quote(handoff.state().wire()));
        if (handoff.agentId() != null) {
            sb.append(",\"agent_id\":").append(Json.quote(handoff.agentId()));
        }
        if (handoff.reason() != null) {
            sb.append(",\"reason\":").append(Json.quote(handoff.reason()));
        }
        if (handoff.by() != null) {
            sb.append(",\"by\":").append(Json.quote(handoff.by()));
        }
        return sb.append(",\"since\":").append(Json.quote(handoff.since().toString())).append('}').toString();
    }
}
