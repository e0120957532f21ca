package io.chatapi.application.service;

import io.chatapi.application.ChatSettings;
import io.chatapi.application.ServerMetrics;
import io.chatapi.application.port.out.BotContextReply;
import io.chatapi.application.port.out.BotContextRequest;
import io.chatapi.application.port.out.BotStore;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.ChatTurn;
import io.chatapi.application.port.out.EventPublisher;
import io.chatapi.application.port.out.LlmClient;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.application.port.out.LlmRequest;
import io.chatapi.application.port.out.MessageDraft;
import io.chatapi.application.port.out.MessageStore;
import io.chatapi.application.port.out.OwedReplyStore;
import io.chatapi.application.port.out.OwedReplyStore.OwedReply;
import io.chatapi.application.port.out.RoomStore;
import io.chatapi.application.port.out.TimeSource;
import io.chatapi.application.port.out.WebhookException;
import io.chatapi.application.port.out.WebhookSender;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.Bot;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.HandoffPolicy;
import io.chatapi.domain.Ids;
import io.chatapi.domain.Member;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import io.chatapi.domain.Room;
import io.chatapi.domain.Utf16;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bot pipeline (protocol §7, §8 and the streaming events of §4): asks the application's webhook for
 * context, streams the LLM's answer as {@code message.stream.*} events, stores it as the bot's message and
 * keeps at most one reply per (room, bot).
 *
 * <p>Work runs on the service's own virtual threads: a short dispatch per message (members, supersede,
 * handoff check), then one task per bot reply; at most {@code maxConcurrency} replies talk to the webhook
 * or the LLM at once, and one bot's replies at most three quarters of them ({@link ReplySlots}); the others
 * wait and give up when cancelled meanwhile. No store call is held open while the LLM streams.
 *
 * <p>Every {@code message.stream.start} is followed by exactly one {@code message.stream.end} or
 * {@code message.stream.error}. A reply that ends because it was cancelled ({@code cancelled},
 * {@code superseded}, {@code handoff}) stores the text published so far and ends with that finish reason,
 * or with an error of that reason when no text was produced. A reply cut by {@code shutdown} always ends
 * with {@code message.stream.error} reason {@code shutdown} and stores nothing, because {@code shutdown} is
 * not a finish reason the protocol allows; the replies a graceful stop cuts short or keeps from starting are owed
 * instead: {@link #keepOwedForRestart} stores them and {@link #resumeOwed} runs them again after the next start.
 * When storing a reply fails, the stream ends with {@code message.stream.error}: the cancel reason when there was
 * one, else {@code llm_error}.
 * {@code botLlmFailures} counts LLM errors and time-outs. {@link #shutdown} cancels every reply and waits;
 * a reply still streaming at the deadline gets its {@code shutdown} error from the shutting-down thread, while
 * one already storing its text (the LLM had finished) is waited for, at most {@code endWait}, and ends with it.
 *
 * <p>Per (room, bot) the newest trigger seq is remembered, so a repeated or late notification of an older
 * message never starts a reply. A newer reply starts only once the replies it superseded have ended: it waits
 * for them (on its own thread, at most {@code endWait}) and then ends one that still streams with
 * {@code message.stream.error} {@code superseded}.
 *
 * <p>A reply's audience is the room's human members: read when the reply is about to talk to the application,
 * then kept current by {@link #onMemberAdded} and {@link #onMemberRemoved}, and checked once more before the
 * terminal event. A member who leaves gets no further event of it; one who joins while it streams first gets
 * its start and all the text so far. When a bot is deleted ({@link #onBotDeleted}) its replies end with
 * {@code message.stream.error} {@code cancelled} and nothing of them is stored.
 */
public final class BotReplyService implements BotReplies {
    static final String CANCELLED = "cancelled";
    static final String SUPERSEDED = "superseded";
    static final String HANDOFF = "handoff";
    static final String SHUTDOWN = "shutdown";
    static final String LLM_ERROR = "llm_error";
    /**
     * How long a new reply waits for the replies it superseded to end (then it ends them itself), and a bot's
     * deletion for its reply being stored.
     */
    static final Duration END_WAIT = Duration.ofSeconds(5);
    /**
     * The most message text a reply's history carries, in UTF-16 code units, besides the bot's
     * {@code max_context}: a bot's own replies may each be as long as {@link BotReply#MAX_TEXT_CHARS}, and the
     * history is held while the reply waits and is sent to the webhook and the LLM. The newest messages are kept
     * first, and the trigger always, whatever its size.
     */
    static final long MAX_HISTORY_CHARS = 1_000_000;
    private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);
    /**
     * How long ago a graceful stop may have kept a reply for the next start to still run it. A restart or an
     * upgrade takes seconds, a slow one minutes; a question left unanswered longer, while the server was down, has
     * most likely been asked again or dropped, and an answer that late would surprise more than help. Not tied to
     * {@code SHUTDOWN_RECONNECT_MAX}: the answer is stored and reaches a client that comes back later too.
     */
    static final Duration OWED_MAX_AGE = Duration.ofMinutes(10);
    /** How many kept replies are taken from the store at a time: those a stop finds not yet taken stay there. */
    private static final int OWED_BATCH = 64;
    /** How many newer messages one read takes when looking for a human one after an owed reply's trigger. */
    private static final int NEWER_PAGE = 100;

    private static final System.Logger LOG = System.getLogger(BotReplyService.class.getName());

    private record Key(String roomId, String botId) {
    }

    /**
     * The newest trigger a (room, bot) pair has seen, and its reply while that runs (else null, idle since
     * {@code idleSinceNanos}).
     */
    private record Latest(long triggerSeq, BotReply reply, long idleSinceNanos) {
    }

    /**
     * A reply a graceful stop cut short or kept from starting; {@code since} is when an earlier stop kept it, for a
     * re-run kept again, and null when this stop is the first.
     */
    private record Owed(String roomId, String botId, String triggerId, long triggerSeq, Instant since) {
    }

    /** The trigger seq of a reply taken from the store and not run before a stop: not read, as not needed. */
    private static final long UNKNOWN_SEQ = 0;

    private final RoomStore rooms;
    private final MessageStore messages;
    private final BotStore bots;
    private final EventPublisher publisher;
    private final OrderedRoomEvents ordered;
    private final WebhookSender webhook;
    private final LlmClient llm;
    private final OfflineDeliveries offline;
    private final OwedReplyStore owedStore;
    private final TimeSource clock;
    private final ChatSettings settings;
    private final ServerMetrics metrics;
    private final ReplySlots slots;
    private final Duration endWait;
    private final ExecutorService executor =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("bot-reply-", 0).factory());
    /**
     * Per (room, bot): the newest trigger seen, so that an older or repeated message never replies. Above
     * 10,000 pairs, those idle for {@code forgetAfter} (far longer than a message takes to reach
     * here) are forgotten, at most once per {@link #SWEEP_EVERY}: memory follows the conversations of the day,
     * not every one since the start.
     */
    private final ConcurrentHashMap<Key, Latest> latest = new ConcurrentHashMap<>();
    private volatile SweepSchedule sweeps = new SweepSchedule(10_000, SWEEP_EVERY);
    private volatile Duration forgetAfter = Duration.ofMinutes(10);
    /** Every reply not yet finished, superseded ones included, by message id. */
    private final ConcurrentHashMap<String, BotReply> live = new ConcurrentHashMap<>();
    /** Rooms being handed to a human (how many handoffs hold each): no reply starts there. */
    private final ConcurrentHashMap<String, Integer> handingOver = new ConcurrentHashMap<>();
    /** The replies owed since the stop began, for {@link #keepOwedForRestart}. */
    private final Set<Owed> owed = ConcurrentHashMap.newKeySet();
    private final ReentrantLock idleLock = new ReentrantLock();
    private final Condition idle = idleLock.newCondition();
    private int inFlight;
    /** Guarded by {@link #idleLock} for writes: {@link #submit} starts nothing once it is set. */
    private volatile boolean stopping;
    private volatile BotHandoff handoff;
    /** Open while {@link #resumeOwed}'s run goes on, so that a stop keeps what that run had taken. */
    private volatile CountDownLatch owedRun = new CountDownLatch(0);

    /** @param maxConcurrency how many replies may call the webhook or the LLM at once; at least 1 */
    public BotReplyService(RoomStore rooms, MessageStore messages, BotStore bots, EventPublisher publisher,
                           OrderedRoomEvents ordered, WebhookSender webhook, LlmClient llm, OfflineDeliveries offline,
                           OwedReplyStore owedStore, TimeSource clock, ChatSettings settings, ServerMetrics metrics,
                           int maxConcurrency) {
        this(rooms, messages, bots, publisher, ordered, webhook, llm, offline, owedStore, clock, settings, metrics,
                maxConcurrency, END_WAIT);
    }

    BotReplyService(RoomStore rooms, MessageStore messages, BotStore bots, EventPublisher publisher,
                    OrderedRoomEvents ordered, WebhookSender webhook, LlmClient llm, OfflineDeliveries offline,
                    OwedReplyStore owedStore, TimeSource clock, ChatSettings settings, ServerMetrics metrics,
                    int maxConcurrency, Duration endWait) {
        this.rooms = rooms;
        this.messages = messages;
        this.bots = bots;
        this.publisher = publisher;
        this.ordered = ordered;
        this.webhook = webhook;
        this.llm = llm;
        this.offline = offline;
        this.owedStore = owedStore;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics;
        this.slots = new ReplySlots(maxConcurrency);
        this.endWait = endWait;
    }

    /** Sets who hands a room to a human when the webhook answers {@code skip} with a {@code handoff}. */
    public void setHandoff(BotHandoff handoff) {
        this.handoff = handoff;
    }

    @Override
    public void onMessage(Room room, Message message) {
        if (message.fromSystem() || room.handoff().human()) {
            return;
        }
        if (!submit(() -> dispatch(room.id(), message))) {
            oweAtStop(room.id(), message); // the stop has begun: no task starts any more
        }
    }

    /** A message stored while the server stops (a send in flight): its bots owe it their replies. */
    private void oweAtStop(String roomId, Message trigger) {
        try {
            for (String botId : answeringBots(rooms.members(roomId), trigger)) {
                owed.add(new Owed(roomId, botId, trigger.id(), trigger.seq(), null));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not keep the bot replies owed to a message in room {0}: {1}", roomId,
                    e.getClass().getName());
        }
    }

    @Override
    public Hold handingToHuman(String roomId) {
        handingOver.merge(roomId, 1, Integer::sum);
        Hold hold = () -> handingOver.computeIfPresent(roomId, (id, holds) -> holds == 1 ? null : holds - 1);
        boolean ended = false;
        try {
            endForHandoff(roomId);
            ended = true;
        } finally {
            if (!ended) {
                hold.close();
            }
        }
        return hold;
    }

    private void endForHandoff(String roomId) {
        List<BotReply> ending = new ArrayList<>();
        for (BotReply reply : live.values()) {
            if (reply.roomId.equals(roomId)) {
                reply.cancel(HANDOFF); // false when it is already ending: it is waited for all the same
                ending.add(reply);
            }
        }
        long deadline = System.nanoTime() + endWait.toNanos();
        for (BotReply reply : ending) {
            if (!reply.awaitClosed(remaining(deadline))) {
                LOG.log(Level.WARNING, "the reply {0} in room {1} had not ended when the room went to a human",
                        reply.messageId, roomId);
            }
        }
    }

    @Override
    public void onMemberAdded(String roomId, String userId) {
        for (BotReply reply : live.values()) {
            if (reply.roomId.equals(roomId)) {
                reply.memberAdded(userId);
            }
        }
    }

    @Override
    public void onMemberRemoved(String roomId, String userId) {
        for (BotReply reply : live.values()) {
            if (reply.roomId.equals(roomId)) {
                if (reply.botId.equals(userId)) {
                    reply.cancel(CANCELLED);
                } else {
                    reply.memberRemoved(userId);
                }
            }
        }
    }

    @Override
    public void onMessageDeleted(String roomId, String messageId) {
        for (BotReply reply : live.values()) {
            if (reply.roomId.equals(roomId) && reply.trigger.id().equals(messageId)) {
                reply.discard(CANCELLED);
            }
        }
    }

    @Override
    public void onBotDeleted(String botId) {
        List<BotReply> storing = new ArrayList<>();
        for (BotReply reply : live.values()) {
            if (reply.botId.equals(botId) && reply.discard(CANCELLED)) {
                storing.add(reply);
            }
        }
        long deadline = System.nanoTime() + endWait.toNanos();
        for (BotReply reply : storing) {
            if (!reply.awaitClosed(remaining(deadline))) {
                LOG.log(Level.WARNING, "the reply {0} of deleted bot {1} was still being stored", reply.messageId,
                        botId);
            }
        }
    }

    @Override
    public void cancel(Principal caller, String roomId, String messageId) {
        rooms.findForChecks(roomId).orElseThrow(() -> ChatException.notFound("room not found"));
        boolean member = rooms.member(roomId, caller.userId()).isPresent();
        if (!AccessPolicy.canUseRoom(caller, member)) {
            throw ChatException.forbidden("not a member of this room");
        }
        BotReply reply = live.get(messageId);
        if (reply == null || !reply.roomId.equals(roomId) || !reply.open()) {
            throw ChatException.notFound("no reply is streaming with this message_id");
        }
        reply.cancel(CANCELLED);
    }

    @Override
    public boolean anyActive() {
        return !live.isEmpty();
    }

    @Override
    public List<ActiveStream> active(Collection<String> roomIds) {
        Set<String> wanted = new HashSet<>(roomIds);
        List<ActiveStream> streams = new ArrayList<>();
        for (BotReply reply : live.values()) {
            if (wanted.contains(reply.roomId)) {
                reply.snapshot().ifPresent(streams::add);
            }
        }
        return streams;
    }

    @Override
    public void shutdown(Instant deadline) {
        idleLock.lock();
        try {
            stopping = true; // under the lock that submit checks it with: every task starts before or not at all
        } finally {
            idleLock.unlock();
        }
        for (BotReply reply : live.values()) {
            if (reply.cancel(SHUTDOWN)) {
                owe(reply); // neither cancelled, superseded, handed off nor dropped before: it still has to answer
            }
        }
        Duration budget = Duration.between(clock.now(), deadline);
        if (awaitIdle(budget.isNegative() ? Duration.ZERO : budget)) {
            executor.shutdown();
            return;
        }
        List<BotReply> storing = new ArrayList<>();
        for (BotReply reply : live.values()) {
            if (reply.abandon(new ChatEvent.StreamError(reply.roomId, reply.messageId, SHUTDOWN))) {
                LOG.log(Level.WARNING, "bot reply {0} did not stop before the shutdown deadline", reply.messageId);
            } else if (reply.open()) {
                storing.add(reply);
            }
        }
        // A reply storing its text ends with that text once stored: an error now would tell clients to drop a
        // message that is stored all the same.
        long storeDeadline = System.nanoTime() + endWait.toNanos();
        for (BotReply reply : storing) {
            if (!reply.awaitClosed(remaining(storeDeadline))) {
                LOG.log(Level.WARNING, "bot reply {0} was still being stored at shutdown", reply.messageId);
            }
        }
        executor.shutdownNow();
    }

    /**
     * Once a graceful stop has ended the replies ({@link #shutdown}) and stopped taking messages: stores the
     * replies it cut short or kept from starting, and those owed to messages stored during the stop, for
     * {@link #resumeOwed} at the next start: per (room, bot) the reply to the newest message, which would have
     * superseded the others. A store failure only loses them (logged), as a crash would.
     */
    public void keepOwedForRestart() {
        try {
            if (!owedRun.await(endWait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(Level.WARNING, "the replies kept by the last stop were still being run again; those not"
                        + " reached yet stay kept");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<Key, Owed> newest = new HashMap<>();
        List<Owed> kept = new ArrayList<>();
        for (Owed reply : owed) {
            if (reply.triggerSeq() == UNKNOWN_SEQ) {
                kept.add(reply); // as the last stop kept it: the re-run skips it if a newer message came
            } else {
                newest.merge(new Key(reply.roomId(), reply.botId()), reply,
                        (one, other) -> one.triggerSeq() >= other.triggerSeq() ? one : other);
            }
        }
        kept.addAll(newest.values());
        Instant at = clock.now();
        List<OwedReply> replies = kept.stream()
                .map(reply -> new OwedReply(reply.roomId(), reply.botId(), reply.triggerId(),
                        reply.since() == null ? at : reply.since())).toList();
        if (replies.isEmpty()) {
            return;
        }
        try {
            owedStore.keep(replies);
            LOG.log(Level.INFO, "{0} bot replies the stop cut short or kept from starting will run at the next start",
                    replies.size());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not keep {0} bot replies the stop cut short or kept from starting: {1}",
                    replies.size(), e.toString());
        }
    }

    /**
     * Once the server takes connections after a start: runs again, as if its message had just come, each reply the
     * last graceful stop kept, unless the stop that first kept it was more than {@link #OWED_MAX_AGE} ago, the
     * message was deleted, the bot left the room, the room went to a human, or a newer human message came (whose
     * own reply answers it). The replies are taken from the store a few at a time before they run, skipped or not,
     * so each runs again at most once; one that a stop cuts short again is not kept again, one it finds not yet
     * started is, and so are those a stop finds not yet taken from the store, or taken and not yet run. Returns at
     * once: the work runs on the service's threads.
     */
    public void resumeOwed() {
        CountDownLatch run = new CountDownLatch(1);
        owedRun = run;
        if (!submit(() -> {
            try {
                runOwed();
            } finally {
                run.countDown();
            }
        })) {
            run.countDown(); // the stop has begun: they stay in the store for the next start
        }
    }

    private void runOwed() {
        Instant oldest = clock.now().minus(OWED_MAX_AGE);
        while (!stopping) {
            List<OwedReply> replies = owedStore.take(OWED_BATCH);
            if (replies.isEmpty()) {
                return;
            }
            for (OwedReply reply : replies) {
                if (reply.owedAt().isBefore(oldest)) {
                    continue;
                }
                if (stopping) {
                    // taken from the store and not run: kept again by this stop as it was
                    owed.add(new Owed(reply.roomId(), reply.botId(), reply.triggerId(), UNKNOWN_SEQ, reply.owedAt()));
                    continue;
                }
                try {
                    rerun(reply);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "could not run again the reply of bot {0} in room {1}: {2}",
                            reply.botId(), reply.roomId(), e.getClass().getName());
                }
            }
        }
    }

    private void rerun(OwedReply reply) {
        Optional<Message> trigger = messages.find(reply.roomId(), reply.triggerId());
        if (trigger.isEmpty() || newerHumanMessage(trigger.get())) {
            return;
        }
        List<Member> members = rooms.members(reply.roomId());
        boolean botMember = members.stream()
                .anyMatch(member -> member.role() == MemberRole.BOT && member.userId().equals(reply.botId()));
        if (botMember) {
            answer(reply.roomId(), trigger.get(), List.of(reply.botId()), humans(members), reply.owedAt());
        }
    }

    /** Whether a user (not a bot, not the server) wrote in the room after {@code trigger}. */
    private boolean newerHumanMessage(Message trigger) {
        long afterSeq = trigger.seq();
        while (true) {
            List<Message> page = messages.after(trigger.roomId(), afterSeq, NEWER_PAGE);
            if (page.stream().anyMatch(message -> !Principal.reservedId(message.senderId()))) {
                return true;
            }
            if (page.size() < NEWER_PAGE) {
                return false;
            }
            afterSeq = page.getLast().seq();
        }
    }

    /**
     * Keeps a reply for the next start; a re-run only when it had not started yet (one the stop cuts short is
     * not kept again, so no reply runs again and again).
     */
    private void owe(BotReply reply) {
        if (reply.owedSince == null || !reply.started()) {
            owed.add(new Owed(reply.roomId, reply.botId, reply.trigger.id(), reply.trigger.seq(), reply.owedSince));
        }
    }

    /** A reply that finds the server stopping before it starts: owed, unless something else ended it first. */
    private void oweUnstarted(BotReply reply) {
        if (reply.cancel(SHUTDOWN)) {
            owe(reply);
        }
    }

    /** Waits until no dispatch or reply task runs; false when the timeout passed first. */
    boolean awaitIdle(Duration timeout) {
        long nanos = timeout.toNanos();
        idleLock.lock();
        try {
            while (inFlight > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            idleLock.unlock();
        }
    }

    /** Starts a task on a thread of its own; false, and nothing started, once the stop has begun. */
    private boolean submit(Runnable task) {
        idleLock.lock();
        try {
            if (stopping) {
                return false;
            }
            inFlight++;
        } finally {
            idleLock.unlock();
        }
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "bot reply task failed: {0}", e.getClass().getName());
                } finally {
                    taskDone();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            taskDone();
            return false;
        }
    }

    private void taskDone() {
        idleLock.lock();
        try {
            if (--inFlight == 0) {
                idle.signalAll();
            }
        } finally {
            idleLock.unlock();
        }
    }

    private void dispatch(String roomId, Message trigger) {
        List<Member> members = rooms.members(roomId);
        List<String> botIds = answeringBots(members, trigger);
        if (!botIds.isEmpty()) {
            answer(roomId, trigger, botIds, humans(members), null);
        }
    }

    /** The bots among {@code members} that answer {@code trigger}: none when a bot sent it. */
    private List<String> answeringBots(List<Member> members, Message trigger) {
        List<String> botIds = new ArrayList<>();
        for (Member member : members) {
            if (member.role() == MemberRole.BOT) {
                if (member.userId().equals(trigger.senderId())) {
                    return List.of();
                }
                botIds.add(member.userId());
            }
        }
        if (botIds.isEmpty() || bots.find(trigger.senderId()).isPresent()) {
            return List.of();
        }
        return botIds;
    }

    /**
     * Registers a reply of each bot to {@code trigger} and runs those the room lets answer now; when the server
     * stops meanwhile, they are owed instead.
     */
    private void answer(String roomId, Message trigger, List<String> botIds, List<String> recipients,
                        Instant owedSince) {
        List<BotReply> fresh = new ArrayList<>();
        for (String botId : botIds) {
            register(roomId, botId, trigger, owedSince, recipients).ifPresent(fresh::add);
        }
        if (fresh.isEmpty()) {
            return;
        }
        boolean answer;
        try {
            Optional<Room> state = rooms.findForChecks(roomId);
            answer = !handingOver.containsKey(roomId) && state.isPresent()
                    && HandoffPolicy.botsAnswer(state.get(), trigger, false);
        } catch (RuntimeException e) {
            fresh.forEach(this::unregister);
            throw e;
        }
        for (BotReply reply : fresh) {
            if (!answer) {
                unregister(reply);
            } else if (!submit(() -> reply(reply))) {
                owe(reply);
                unregister(reply);
            }
        }
    }

    private Optional<BotReply> register(String roomId, String botId, Message trigger, Instant owedSince,
                                        List<String> recipients) {
        sweepIdlePairs();
        BotReply fresh = new BotReply(roomId, botId, Ids.message(), trigger, owedSince, recipients, publisher);
        BotReply[] displaced = {null};
        Latest now = latest.compute(new Key(roomId, botId), (key, old) -> {
            if (old != null && old.triggerSeq() >= trigger.seq()) {
                return old;
            }
            displaced[0] = old == null ? null : old.reply();
            return new Latest(trigger.seq(), fresh, 0);
        });
        if (now.reply() != fresh) {
            return Optional.empty();
        }
        live.put(fresh.messageId, fresh);
        if (displaced[0] != null) {
            displaced[0].cancel(SUPERSEDED);
        }
        return Optional.of(fresh);
    }

    /**
     * Waits until no older reply of the same (room, bot) streams; one still streaming after {@code endWait}
     * is ended with a {@code superseded} error. Runs on the reply's own thread, before its start.
     */
    private void awaitSuperseded(BotReply reply) {
        long deadline = System.nanoTime() + endWait.toNanos();
        for (BotReply older : live.values()) {
            if (older == reply || !older.roomId.equals(reply.roomId) || !older.botId.equals(reply.botId)
                    || older.trigger.seq() >= reply.trigger.seq()) {
                continue;
            }
            if (!older.awaitClosed(remaining(deadline)) && older.abandon(error(older, SUPERSEDED))) {
                LOG.log(Level.WARNING, "superseded bot reply {0} did not stop in time", older.messageId);
            }
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    private void sweepIdlePairs() {
        long now = SweepSchedule.nanos(clock.now());
        if (!sweeps.claim(latest.size(), now)) {
            return;
        }
        long idleLongEnough = forgetAfter.toNanos();
        latest.values().removeIf(entry -> entry.reply() == null && now - entry.idleSinceNanos() >= idleLongEnough);
    }

    /** Tests: how many (room, bot) pairs are remembered, and when idle ones are forgotten. */
    int rememberedPairs() {
        return latest.size();
    }

    void forgetIdlePairs(int above, Duration after) {
        this.forgetAfter = after;
        this.sweeps = new SweepSchedule(above, SWEEP_EVERY);
    }

    private void unregister(BotReply reply) {
        latest.computeIfPresent(new Key(reply.roomId, reply.botId), (key, entry) -> entry.reply() == reply
                ? new Latest(entry.triggerSeq(), null, SweepSchedule.nanos(clock.now())) : entry);
        live.remove(reply.messageId, reply);
    }

    private void reply(BotReply reply) {
        try {
            if (!slots.acquire(reply.botId, reply.trigger.senderId(), reply.cancellation)) {
                return;
            }
            try {
                converse(reply);
            } finally {
                slots.release(reply.botId, reply.trigger.senderId());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "bot {0} failed to reply in room {1}: {2}", reply.botId, reply.roomId,
                    e.getClass().getName());
        } finally {
            if (reply.openWithoutEnd()) {
                String reason = reply.finishing(false).cancelReason();
                terminate(reply, error(reply, reason == null ? LLM_ERROR : reason));
            }
            unregister(reply);
        }
    }

    private void converse(BotReply reply) {
        if (stopping) {
            oweUnstarted(reply); // it took the slot a reply the stop ended gave back, before the stop came to it
            return;
        }
        Optional<Bot> found = bots.find(reply.botId);
        if (found.isEmpty() || reply.cancellation.isCancelled()) {
            return;
        }
        List<Member> members = rooms.members(reply.roomId);
        if (members.stream().noneMatch(member -> member.userId().equals(reply.botId))) {
            return; // a bot removed from the room since the message came no longer answers there
        }
        reply.audience(humans(members));
        Bot bot = found.get();
        String systemPrompt = null;
        if (webhook.enabled()) {
            Optional<BotContextReply> context = askApplication(reply, history(bot, reply.trigger));
            if (context.isEmpty() && (reply.cancellation.isCancelled() || !settings.botWebhookProceed())) {
                return;
            }
            if (context.isPresent()) {
                BotContextReply answer = context.get();
                if (answer.skip()) {
                    if (answer.handoff()) {
                        requestHandoff(reply, answer.handoffReason());
                    }
                    return;
                }
                String prompt = answer.systemPrompt();
                systemPrompt = prompt == null || prompt.isBlank() ? null : prompt;
            }
        }
        awaitSuperseded(reply);
        if (stopping) {
            oweUnstarted(reply); // its bot.context answer came as the stop began
            return;
        }
        // a trigger deleted before this reply was registered is not seen by onMessageDeleted: look once more
        if (messages.find(reply.roomId, reply.trigger.id()).isEmpty() || !reply.start()) {
            return;
        }
        // read now, not before the webhook's answer: a message deleted or edited while it thought is sent as it is
        List<ChatTurn> history = history(bot, reply.trigger);
        LlmOutcome outcome;
        try {
            outcome = llm.stream(new LlmRequest(bot, systemPrompt, history), reply::append, reply.cancellation);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "LLM call of bot {0} failed: {1}", bot.id(), e.getClass().getName());
            outcome = LlmOutcome.ERROR;
        }
        end(reply, outcome == null ? LlmOutcome.ERROR : outcome);
    }

    /**
     * The last {@code max_context} messages up to the trigger, oldest first, cut at the oldest message that would
     * take the text past {@link #MAX_HISTORY_CHARS} (the newest one is always kept).
     */
    private List<ChatTurn> history(Bot bot, Message trigger) {
        List<Message> window = messages.window(trigger.roomId(), trigger.seq(), bot.maxContext());
        int first = window.size();
        long chars = 0;
        while (first > 0) {
            int length = window.get(first - 1).content().length();
            if (first < window.size() && chars + length > MAX_HISTORY_CHARS) {
                break;
            }
            chars += length;
            first--;
        }
        List<ChatTurn> turns = new ArrayList<>(window.size() - first);
        for (Message message : window.subList(first, window.size())) {
            String role = message.senderId().equals(bot.id()) ? "assistant" : "user";
            turns.add(new ChatTurn(role, message.content()));
        }
        return List.copyOf(turns);
    }

    /**
     * The webhook's answer, or empty when the call failed (counted and logged) or was aborted because the reply was
     * cancelled meanwhile (neither: the application did nothing wrong). The call ends as soon as the reply is
     * cancelled, so a superseded reply gives its slot back at once.
     */
    private Optional<BotContextReply> askApplication(BotReply reply, List<ChatTurn> history) {
        String problem;
        try {
            BotContextReply answer = webhook.botContext(
                    new BotContextRequest(reply.botId, reply.roomId, reply.trigger, history), reply.cancellation);
            if (answer != null) {
                return Optional.of(wellFormed(answer));
            }
            problem = "no answer";
        } catch (WebhookException e) {
            problem = e.getMessage();
        } catch (RuntimeException e) {
            problem = e.getClass().getName();
        }
        if (reply.cancellation.isCancelled()) {
            return Optional.empty();
        }
        metrics.botWebhookFailures.incrementAndGet();
        LOG.log(Level.WARNING, "bot.context webhook failed for bot {0} in room {1} ({2}): {3}", reply.botId,
                reply.roomId, settings.botWebhookProceed() ? "replying without a system prompt" : "bot stays silent",
                problem);
        return Optional.empty();
    }

    /**
     * The answer with every surrogate its JSON escaped without a partner made U+FFFD, as in the LLM's text: the
     * prompt goes on to the LLM, and the handoff reason is stored and broadcast, neither of which can carry one.
     */
    private static BotContextReply wellFormed(BotContextReply answer) {
        return new BotContextReply(wellFormedOrNull(answer.systemPrompt()), answer.skip(), answer.handoff(),
                wellFormedOrNull(answer.handoffReason()));
    }

    private static String wellFormedOrNull(String text) {
        return text == null ? null : Utf16.wellFormed(text);
    }

    private void requestHandoff(BotReply reply, String reason) {
        BotHandoff target = handoff;
        if (target == null || stopping) {
            return;
        }
        try {
            target.handToHuman(reply.roomId, reply.botId, reason);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "handoff asked by bot {0} in room {1} failed: {2}", reply.botId, reply.roomId,
                    e.getClass().getName());
        }
    }

    private void end(BotReply reply, LlmOutcome outcome) {
        BotReply.Ending ending = reply.finishing(outcome == LlmOutcome.STOP || outcome == LlmOutcome.LENGTH);
        String reason = ending.cancelReason();
        String text = ending.text();
        if (reason != null) {
            if (ending.discard()) {
                terminate(reply, error(reply, BotReply.LENGTH.equals(reason) ? CANCELLED : reason));
            } else if (BotReply.LENGTH.equals(reason)) {
                store(reply, text, BotReply.LENGTH, LLM_ERROR); // stopped at the reply's size limit
            } else if (SHUTDOWN.equals(reason) || text.isEmpty()) {
                terminate(reply, error(reply, reason));
            } else {
                store(reply, text, reason, reason);
            }
            return;
        }
        switch (outcome) {
            case STOP, LENGTH -> {
                if (text.isEmpty()) {
                    terminate(reply, error(reply, "empty"));
                } else {
                    store(reply, text, outcome == LlmOutcome.STOP ? "stop" : "length", LLM_ERROR);
                }
            }
            case TIMEOUT -> {
                metrics.botLlmFailures.incrementAndGet();
                terminate(reply, error(reply, "timeout"));
            }
            case ERROR, CANCELLED -> {
                metrics.botLlmFailures.incrementAndGet();
                terminate(reply, error(reply, LLM_ERROR));
            }
        }
    }

    private void store(BotReply reply, String text, String finishReason, String reasonIfStoreFails) {
        try {
            Room room = rooms.findForChecks(reply.roomId).orElseThrow(() -> ChatException.notFound("room not found"));
            List<Member> members = rooms.members(reply.roomId);
            if (!reply.beginStore()) {
                // its bot was deleted meanwhile, or a newer reply already ended it: nothing is stored
                reply.terminate(error(reply, CANCELLED), humans(members));
                return;
            }
            MessageDraft draft = new MessageDraft(reply.messageId, reply.roomId, reply.botId, text, null, null,
                    clock.now());
            OfflinePlan plan = offline.planFor(room, members, reply.botId);
            try (OrderedRoomEvents.Turn turn = ordered.appending(reply.roomId)) {
                Message stored = messages.append(draft, plan).message();
                metrics.botReplies.incrementAndGet();
                // The stream announced the reply; its end is the one event with its seq, so it goes out in the
                // room's seq order: after every message before it, and before any after it.
                ChatEvent end = new ChatEvent.StreamEnd(reply.roomId, reply.messageId, reply.botId,
                        stored.content(), stored.seq(), finishReason);
                List<String> audience = humans(members);
                reply.endQueued();
                turn.committed(stored.seq(), () -> {
                    reply.terminate(end, audience);
                    plan.published(stored);
                });
            }
            offline.committed(plan);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not store the reply of bot {0} in room {1}: {2}", reply.botId,
                    reply.roomId, e.getClass().getName());
            terminate(reply, error(reply, reasonIfStoreFails));
        }
    }

    /** Publishes a reply's terminal event, also to human members who joined without being reported. */
    private void terminate(BotReply reply, ChatEvent terminal) {
        List<String> now;
        try {
            now = humans(rooms.members(reply.roomId));
        } catch (RuntimeException e) {
            now = List.of(); // the audience known so far still gets the end
        }
        reply.terminate(terminal, now);
    }

    private static ChatEvent.StreamError error(BotReply reply, String reason) {
        return new ChatEvent.StreamError(reply.roomId, reply.messageId, reason);
    }

    private static List<String> humans(List<Member> members) {
        List<String> ids = new ArrayList<>(members.size());
        for (Member member : members) {
            if (member.role() != MemberRole.BOT) {
                ids.add(member.userId());
            }
        }
        return ids;
    }
}
