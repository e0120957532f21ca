package io.chatapi.adapters.ws;

import io.chatapi.application.port.in.AckUseCase;
import io.chatapi.application.port.in.AdminUseCase;
import io.chatapi.application.port.in.CreateRoomUseCase;
import io.chatapi.application.port.in.EditMessageUseCase;
import io.chatapi.application.port.in.HandoffUseCase;
import io.chatapi.application.port.in.HealthQuery;
import io.chatapi.application.port.in.HistoryUseCase;
import io.chatapi.application.port.in.ManageBotsUseCase;
import io.chatapi.application.port.in.MembershipUseCase;
import io.chatapi.application.port.in.PresenceUseCase;
import io.chatapi.application.port.in.QueryRoomsUseCase;
import io.chatapi.application.port.in.QueryRoomsUseCase.MemberView;
import io.chatapi.application.port.in.QueryRoomsUseCase.RoomView;
import io.chatapi.application.port.in.SendMessageUseCase;
import io.chatapi.application.port.in.StreamsUseCase;
import io.chatapi.application.port.in.TypingUseCase;
import io.chatapi.application.port.in.UnsentMessagesUseCase;
import io.chatapi.application.port.in.UpdateRoomUseCase;
import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.domain.Bot;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.ErrorCode;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.HandoffState;
import io.chatapi.domain.LlmProvider;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An in-memory stand-in for every use case: rooms, members, messages and bots in maps, member-or-admin
 * authorization, events published through the registry under test, and knobs for failures and hooks.
 */
final class UseCasesTestDouble implements CreateRoomUseCase, QueryRoomsUseCase, UpdateRoomUseCase, MembershipUseCase,
        SendMessageUseCase, EditMessageUseCase, HistoryUseCase, AckUseCase, TypingUseCase, PresenceUseCase,
        ManageBotsUseCase, HandoffUseCase, StreamsUseCase, AdminUseCase, HealthQuery, UnsentMessagesUseCase {

    private final EventPublisher events;
    private final Map<String, Room> rooms = new LinkedHashMap<>();
    private final Map<String, List<Member>> members = new LinkedHashMap<>();
    private final Map<String, List<Message>> messages = new LinkedHashMap<>();
    private final Map<String, Bot> bots = new LinkedHashMap<>();
    private int ids;

    final List<String> presenceLog = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile boolean writable = true;
    volatile Duration rateLimitedFor;
    volatile Supplier<RuntimeException> sendFailure;
    volatile int lastHistoryLimit;
    volatile List<ActiveStream> activeStreams = List.of();
    volatile Runnable onActive = () -> { };
    final java.util.concurrent.atomic.AtomicInteger roomsLookups = new java.util.concurrent.atomic.AtomicInteger();
    volatile Runnable onResume = () -> { };
    /** Thrown by the room listing in place of the room at {@link #roomsFailingAt}, as a store failing midway. */
    volatile RuntimeException roomsFailure;
    volatile int roomsFailingAt;
    /** Runs in the room listing before the room at {@link #roomsPausingAt}, as a slow page read. */
    volatile Runnable roomsPause = () -> { };
    volatile int roomsPausingAt = -1;
    /** Runs at the start of every send, on the sender's thread. */
    volatile Runnable beforeSend = () -> { };
    volatile List<DeadLetter> deadLetters = List.of();
    /** The messages reported unsent, as {@code user:room#seq}, in the order reported. */
    final List<String> unsent = new CopyOnWriteArrayList<>();

    UseCasesTestDouble(EventPublisher events) {
        this.events = events;
    }

    UseCases useCases() {
        return new UseCases(this, this, this, this, this, this, this, this, this, this, this, this, this, this, this,
                this);
    }

    /** Runs before a report of unsent messages is recorded (a test holds it back with it). */
    volatile Runnable beforeUnsent = () -> { };

    @Override
    public void unsent(String userId, List<UnsentMessage> messages) {
        beforeUnsent.run();
        for (UnsentMessage message : messages) {
            unsent.add(userId + ":" + message.roomId() + "#" + message.seq());
        }
    }

    synchronized Room room(String id, RoomType type, String... userIds) {
        Instant now = Instant.now();
        Room room = new Room(id, type, null, null, 0, now, Handoff.initial(now));
        rooms.put(id, room);
        List<Member> list = new ArrayList<>();
        for (String userId : userIds) {
            list.add(new Member(id, userId, MemberRole.MEMBER, now));
        }
        members.put(id, list);
        messages.put(id, new ArrayList<>());
        return room;
    }

    /** Stores {@code room} as it is, with these members. */
    synchronized void room(Room room, String... userIds) {
        rooms.put(room.id(), room);
        List<Member> list = new ArrayList<>();
        for (String userId : userIds) {
            list.add(new Member(room.id(), userId, MemberRole.MEMBER, room.createdAt()));
        }
        members.put(room.id(), list);
        messages.put(room.id(), new ArrayList<>());
    }

    /** Stores a message directly (no events), as history for resume. */
    synchronized int messagesIn(String roomId) {
        return messages.getOrDefault(roomId, List.of()).size();
    }

    synchronized Message stored(String roomId, String senderId, String content) {
        return append(roomId, senderId, content, null, null);
    }

    private synchronized Message append(String roomId, String senderId, String content, String meta, String clientId) {
        List<Message> list = messages.get(roomId);
        long seq = list.isEmpty() ? 1 : list.getLast().seq() + 1;
        Message m = new Message("msg_" + (++ids), roomId, senderId, seq, content, meta, Instant.now(), null, clientId);
        list.add(m);
        Room r = rooms.get(roomId);
        rooms.put(roomId, new Room(r.id(), r.type(), r.name(), r.metadata(), seq, r.createdAt(), r.handoff()));
        return m;
    }

    synchronized List<String> memberIds(String roomId) {
        return members.getOrDefault(roomId, List.of()).stream().map(Member::userId).toList();
    }

    private synchronized Room usable(Principal caller, String roomId) {
        Room room = rooms.get(roomId);
        if (room == null) {
            throw ChatException.notFound("room not found");
        }
        if (!caller.isAdmin() && !memberIds(roomId).contains(caller.userId())) {
            throw ChatException.forbidden("not a member of this room");
        }
        return room;
    }

    @Override
    public synchronized Room create(Principal caller, CreateRoom command) {
        RoomType type = RoomType.parse(command.type()).orElseThrow(() -> ChatException.invalid("type must be dm or group"));
        if (!caller.isAdmin() && !command.members().contains(caller.userId())) {
            throw ChatException.forbidden("you must be a member");
        }
        Room room = room("room_" + (++ids), type, command.members().toArray(String[]::new));
        Room named = new Room(room.id(), type, command.name(), command.metadata(), 0, room.createdAt(), room.handoff());
        rooms.put(room.id(), named);
        return named;
    }

    /** Newest first as the real service, handed outside the lock (a slow client must not hold it up). */
    @Override
    public void forEachRoomOf(Principal caller, Consumer<RoomView> action) {
        List<Room> list = roomsOf(caller);
        for (int i = 0; i < list.size(); i++) {
            RuntimeException failure = roomsFailure;
            if (failure != null && i == roomsFailingAt) {
                throw failure;
            }
            if (i == roomsPausingAt) {
                roomsPause.run();
            }
            action.accept(new RoomView(list.get(i), 0));
        }
    }

    @Override
    public List<String> roomIdsOf(Principal caller) {
        roomsLookups.incrementAndGet();
        return roomsOf(caller).stream().map(Room::id).toList();
    }

    private synchronized List<Room> roomsOf(Principal caller) {
        return rooms.values().stream().filter(r -> memberIds(r.id()).contains(caller.userId()))
                .sorted(Comparator.comparing(Room::createdAt).thenComparing(Room::id).reversed()).toList();
    }

    @Override
    public synchronized RoomView room(Principal caller, String roomId) {
        return new RoomView(usable(caller, roomId), 0);
    }

    @Override
    public synchronized List<MemberView> members(Principal caller, String roomId) {
        usable(caller, roomId);
        return members.get(roomId).stream().map(m -> new MemberView(m, 0)).toList();
    }

    @Override
    public synchronized Room update(Principal caller, String roomId, String name, String metadata) {
        Room r = usable(caller, roomId);
        Room next = new Room(r.id(), r.type(), name != null ? name : r.name(), metadata != null ? metadata : r.metadata(),
                r.lastSeq(), r.createdAt(), r.handoff());
        rooms.put(roomId, next);
        return next;
    }

    @Override
    public synchronized void addMember(Principal caller, String roomId, String userId) {
        usable(caller, roomId);
        if (memberIds(roomId).contains(userId)) {
            throw ChatException.conflict("already a member");
        }
        members.get(roomId).add(new Member(roomId, userId, MemberRole.MEMBER, Instant.now()));
    }

    @Override
    public synchronized void removeMember(Principal caller, String roomId, String userId) {
        usable(caller, roomId);
        if (!members.get(roomId).removeIf(m -> m.userId().equals(userId))) {
            throw ChatException.notFound("not a member");
        }
    }

    @Override
    public Appended send(Principal caller, SendMessage command) {
        beforeSend.run();
        Supplier<RuntimeException> failure = sendFailure;
        if (failure != null) {
            throw failure.get();
        }
        Duration limited = rateLimitedFor;
        if (limited != null) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "rate limit exceeded", limited);
        }
        Message message;
        List<String> recipients;
        synchronized (this) {
            usable(caller, command.roomId());
            if (command.content().isEmpty()) {
                throw ChatException.invalid("content must not be empty");
            }
            if (command.clientMsgId() != null) {
                for (Message m : messages.get(command.roomId())) {
                    if (command.clientMsgId().equals(m.clientMsgId()) && m.senderId().equals(caller.userId())) {
                        return new Appended(m, true);
                    }
                }
            }
            message = append(command.roomId(), caller.userId(), command.content(), command.meta(), command.clientMsgId());
            recipients = memberIds(command.roomId());
        }
        events.publish(recipients, new ChatEvent.MessageCreated(message, false));
        return new Appended(message, false);
    }

    @Override
    public synchronized Message edit(Principal caller, String roomId, String messageId, String content) {
        usable(caller, roomId);
        List<Message> list = messages.get(roomId);
        for (int i = 0; i < list.size(); i++) {
            Message m = list.get(i);
            if (m.id().equals(messageId)) {
                if (!m.senderId().equals(caller.userId())) {
                    throw ChatException.forbidden("only the sender may edit");
                }
                Message edited = m.edited(content, Instant.now());
                list.set(i, edited);
                return edited;
            }
        }
        throw ChatException.notFound("message not found");
    }

    @Override
    public synchronized void delete(Principal caller, String roomId, String messageId) {
        usable(caller, roomId);
        if (!messages.get(roomId).removeIf(m -> m.id().equals(messageId))) {
            throw ChatException.notFound("message not found");
        }
    }

    @Override
    public synchronized List<Message> history(Principal caller, String roomId, long afterSeq, int limit) {
        usable(caller, roomId);
        lastHistoryLimit = limit;
        return messages.get(roomId).stream().filter(m -> m.seq() > afterSeq).limit(limit).toList();
    }

    @Override
    public Replay resume(Principal caller, String roomId, long lastSeq) {
        List<Message> missed;
        synchronized (this) {
            usable(caller, roomId);
            missed = messages.get(roomId).stream().filter(m -> m.seq() > lastSeq).toList();
        }
        onResume.run();
        long last = missed.isEmpty() ? lastSeq : missed.getLast().seq();
        return new Replay(roomId, missed, last, true);
    }

    @Override
    public void ack(Principal caller, String roomId, long seq) {
        usable(caller, roomId);
        calls.add("ack " + roomId + " " + seq);
        events.publish(memberIds(roomId), new ChatEvent.AckReceived(roomId, seq, caller.userId()));
    }

    @Override
    public void typing(Principal caller, String roomId, boolean start) {
        usable(caller, roomId);
        events.publish(memberIds(roomId), new ChatEvent.Typing(roomId, caller.userId(), start));
    }

    @Override
    public void firstConnectionOpened(String userId) {
        presenceLog.add("online " + userId);
    }

    @Override
    public void lastConnectionClosed(String userId) {
        presenceLog.add("offline " + userId);
    }

    @Override
    public synchronized Bot create(Principal caller, NewBot command) {
        admin(caller);
        LlmProvider provider = command.provider() == null ? LlmProvider.OPENAI
                : LlmProvider.parse(command.provider()).orElseThrow(() -> ChatException.invalid("provider is unknown"));
        Bot bot = new Bot("bot_" + (++ids), command.name(), command.llmBaseUrl(), command.llmApiKeyEnv(),
                command.model(), provider, command.maxContext() == null ? Bot.DEFAULT_MAX_CONTEXT : command.maxContext(),
                command.temperature(), command.maxTokens(), Instant.now());
        bots.put(bot.id(), bot);
        return bot;
    }

    @Override
    public synchronized List<Bot> list(Principal caller) {
        admin(caller);
        return List.copyOf(bots.values());
    }

    @Override
    public synchronized Bot get(Principal caller, String botId) {
        admin(caller);
        Bot bot = bots.get(botId);
        if (bot == null) {
            throw ChatException.notFound("bot not found");
        }
        return bot;
    }

    @Override
    public synchronized void delete(Principal caller, String botId) {
        admin(caller);
        if (bots.remove(botId) == null) {
            throw ChatException.notFound("bot not found");
        }
    }

    @Override
    public synchronized Room change(Principal caller, String roomId, ChangeHandoff command) {
        Room r = usable(caller, roomId);
        HandoffState state = HandoffState.parse(command.state()).orElseThrow(() -> ChatException.invalid("state is unknown"));
        Handoff handoff = new Handoff(state, command.agentId(), command.reason(), caller.userId(), Instant.now());
        Room next = r.withHandoff(handoff);
        rooms.put(roomId, next);
        events.publish(memberIds(roomId), new ChatEvent.RoomHandoff(roomId, handoff));
        return next;
    }

    @Override
    public void cancel(Principal caller, String roomId, String messageId) {
        usable(caller, roomId);
        calls.add("cancel " + roomId + " " + messageId);
    }

    @Override
    public boolean anyActive() {
        return !activeStreams.isEmpty();
    }

    @Override
    public List<ActiveStream> active(Collection<String> roomIds) {
        onActive.run();
        return activeStreams.stream().filter(s -> roomIds.contains(s.roomId())).toList();
    }

    @Override
    public List<DeadLetter> deadLetters(Principal caller, int limit) {
        admin(caller);
        calls.add("dead-letters " + limit);
        return deadLetters;
    }

    @Override
    public boolean databaseWritable() {
        return writable;
    }

    private static void admin(Principal caller) {
        if (!caller.isAdmin()) {
            throw ChatException.forbidden("admins only");
        }
    }
}
