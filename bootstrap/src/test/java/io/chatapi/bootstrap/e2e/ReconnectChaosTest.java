package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Clients that keep losing their connection while two senders write into their room, and a graceful restart in
 * the middle: a WebSocket sender and a REST sender retry every send with its {@code client_msg_id} until it is
 * acknowledged; listeners drop their sockets at random (no close frame) or close them, reconnect and
 * {@code resume} from their last contiguous seq. At the end every message was stored exactly once and every
 * listener holds every seq of the room, and no live event after a {@code resume.done} repeated a seq that socket
 * had already delivered.
 */
class ReconnectChaosTest {
    private static final int PER_SENDER = 150;
    private static final Duration ANSWER = Duration.ofSeconds(5);

    private final AtomicBoolean listening = new AtomicBoolean(true);
    private final AtomicInteger liveDuplicates = new AtomicInteger();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicInteger pagedResumes = new AtomicInteger();
    private final CountDownLatch halfway = new CountDownLatch(1);
    private final List<String> problems = new CopyOnWriteArrayList<>();

    @Test
    void droppedAndRestartedClientsEndWithEveryMessageOnceAndNoGap() throws Exception {
        List<String> listeners = List.of("l1", "l2", "l3", "l4");
        try (var server = TestServer.start(Map.of("RESUME_MAX_MESSAGES", "10"))) {
            List<String> members = new ArrayList<>(List.of("ws-sender", "rest-sender"));
            members.addAll(listeners);
            var created = server.rest().post("/rooms", Tokens.user("ws-sender"),
                    Map.of("type", "group", "members", members, "name", "chaos"));
            String room = created.json().path("room_id").asText();

            Map<String, Set<Long>> held = new ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < listeners.size(); i++) {
                String user = listeners.get(i);
                Set<Long> seqs = ConcurrentHashMap.newKeySet();
                held.put(user, seqs);
                long seed = 31L * i + 7;
                threads.add(Thread.ofPlatform().name("listener-" + user).start(() -> listen(server, user, room, seqs, seed)));
            }
            Thread wsSender = Thread.ofPlatform().name("ws-sender").start(() -> sendOverSocket(server, room));
            Thread restSender = Thread.ofPlatform().name("rest-sender").start(() -> sendOverRest(server, room));

            assertThat(halfway.await(60, TimeUnit.SECONDS)).as("half the REST sends done").isTrue();
            server.restart();
            wsSender.join(Duration.ofSeconds(90));
            restSender.join(Duration.ofSeconds(90));
            assertThat(wsSender.isAlive() || restSender.isAlive()).as("senders finished").isFalse();
            listening.set(false);
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(30));
            }
            assertThat(problems).isEmpty();

            List<JsonNode> history = server.rest().allMessages(room, Tokens.user("ws-sender"));
            List<String> contents = history.stream().map(m -> m.path("content").asText()).toList();
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < PER_SENDER; i++) {
                expected.add("ws " + i);
                expected.add("rest " + i);
            }
            assertThat(contents).as("every message stored once").hasSize(2 * PER_SENDER)
                    .containsExactlyInAnyOrderElementsOf(expected);
            Set<Long> all = new TreeSet<>();
            history.forEach(m -> all.add(m.path("seq").asLong()));
            for (String user : listeners) {
                assertThat(new TreeSet<>(held.get(user))).as("seqs %s holds", user).isEqualTo(all);
            }
            assertThat(liveDuplicates.get()).as("live events after resume.done repeating a seq of the same socket").isZero();
            assertThat(reconnects.get()).as("listeners reconnected (%d resumes then paged through REST)", pagedResumes.get())
                    .isGreaterThan(listeners.size() * 3);
        }
    }

    /** Reconnects for as long as the senders run, then once more to catch up; records every seq received. */
    private void listen(TestServer server, String user, String room, Set<Long> seqs, long seed) {
        Random random = new Random(seed);
        boolean last = false;
        while (!last) {
            last = !listening.get();
            WsClient socket = connect(server, user);
            if (socket == null) {
                problems.add(user + " could not reconnect");
                return;
            }
            reconnects.incrementAndGet();
            try {
                socket.send("resume", Map.of("rooms", Map.of(room, lastContiguous(seqs))));
                boolean resumed = false;
                Set<Long> onThisSocket = new HashSet<>();
                long until = System.nanoTime() + (last ? ANSWER.toNanos() : (20 + random.nextInt(250)) * 1_000_000L);
                while (System.nanoTime() < until && !socket.isClosed()) {
                    JsonNode event = socket.next(Duration.ofMillis(10));
                    if (event == null) {
                        continue;
                    }
                    switch (event.path("type").asText()) {
                        case "message" -> {
                            if (!room.equals(event.path("room_id").asText())) {
                                break;
                            }
                            long seq = event.path("seq").asLong();
                            seqs.add(seq);
                            if (!onThisSocket.add(seq) && resumed && !event.path("replay").asBoolean()) {
                                liveDuplicates.incrementAndGet();
                            }
                        }
                        case "resume.done" -> {
                            resumed = true;
                            if (!event.path("complete").asBoolean(true)) {
                                pagedResumes.incrementAndGet();
                                page(server, user, room, seqs);
                            }
                            if (last) {
                                until = System.nanoTime(); // caught up after the senders finished
                            }
                        }
                        default -> {
                        }
                    }
                }
                if (last && !resumed) {
                    last = false; // the final catch-up did not finish on this socket: go round once more
                }
            } catch (RuntimeException e) {
                // the socket went away under a send: reconnect
            } finally {
                if (random.nextBoolean()) {
                    socket.drop();
                } else {
                    try {
                        socket.close();
                    } catch (RuntimeException e) {
                        socket.drop();
                    }
                }
            }
            if (random.nextInt(4) == 0) {
                pause(random.nextInt(400)); // away long enough, now and then, to miss more than one resume replays
            }
        }
    }

    private void sendOverSocket(TestServer server, String room) {
        WsClient socket = null;
        for (int i = 0; i < PER_SENDER; i++) {
            String id = "w" + i;
            boolean acknowledged = false;
            for (int attempt = 0; !acknowledged && attempt < 200; attempt++) {
                if (socket == null || socket.isClosed()) {
                    socket = connect(server, "ws-sender");
                    if (socket == null) {
                        break;
                    }
                }
                try {
                    socket.send("send_message", Map.of("room_id", room, "content", "ws " + i, "client_msg_id", id));
                    long until = System.nanoTime() + ANSWER.toNanos();
                    while (!acknowledged && System.nanoTime() < until && !socket.isClosed()) {
                        JsonNode event = socket.next(Duration.ofMillis(20));
                        acknowledged = event != null && "message.sent".equals(event.path("type").asText())
                                && id.equals(event.path("client_msg_id").asText());
                    }
                } catch (RuntimeException e) {
                    socket.drop();
                    socket = null;
                }
            }
            if (!acknowledged) {
                problems.add("ws send " + i + " never acknowledged");
                return;
            }
        }
        socket.close();
    }

    private void sendOverRest(TestServer server, String room) {
        for (int i = 0; i < PER_SENDER; i++) {
            boolean stored = false;
            for (int attempt = 0; !stored && attempt < 200; attempt++) {
                try {
                    var answer = server.rest().post("/rooms/" + room + "/messages", Tokens.user("rest-sender"),
                            Map.of("content", "rest " + i, "client_msg_id", "r" + i));
                    stored = answer.status() == 200;
                } catch (RuntimeException e) {
                    // the server is restarting
                }
                if (!stored) {
                    pause(25);
                }
            }
            if (!stored) {
                problems.add("rest send " + i + " never stored");
                return;
            }
            if (i == PER_SENDER / 2) {
                halfway.countDown();
            }
            pause(2);
        }
    }

    /** A connected socket, retrying while the server restarts (its port changes); null after 20 s of failures. */
    private static WsClient connect(TestServer server, String user) {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            try {
                return WsClient.connect(server.port(), Tokens.user(user));
            } catch (RuntimeException e) {
                pause(25);
            }
        }
        return null;
    }

    private static void page(TestServer server, String user, String room, Set<Long> seqs) {
        long after = lastContiguous(seqs);
        while (true) {
            var page = server.rest().get("/rooms/" + room + "/messages?limit=100&after_seq=" + after, Tokens.user(user));
            JsonNode messages = page.json().path("messages");
            if (page.status() != 200 || messages.isEmpty()) {
                return;
            }
            for (JsonNode m : messages) {
                seqs.add(m.path("seq").asLong());
                after = Math.max(after, m.path("seq").asLong());
            }
        }
    }

    private static long lastContiguous(Set<Long> seqs) {
        long seq = 0;
        while (seqs.contains(seq + 1)) {
            seq++;
        }
        return seq;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
