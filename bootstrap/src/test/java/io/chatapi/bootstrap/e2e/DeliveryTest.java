package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sequencing under load, offline delivery through the webhook outbox, and socket re-delivery. */
class DeliveryTest {
    private static final String WEBHOOK_SECRET = "whsec_" + Base64.getEncoder().encodeToString(
            "a-webhook-signing-key-of-32-bytes".getBytes(StandardCharsets.UTF_8));
    private static final String ADMIN = Tokens.admin("backend");
    private FakeWebhook hook;
    private TestServer server;
    private Rest rest;

    @BeforeEach
    void start() throws Exception {
        hook = new FakeWebhook();
        server = TestServer.start(Map.of("WEBHOOK_URL", hook.url(), "WEBHOOK_SECRET", WEBHOOK_SECRET,
                "WORKER_INTERVAL", "200ms"));
        rest = server.rest();
    }

    @AfterEach
    void stop() {
        server.close();
        hook.close();
    }

    private String group(String... members) {
        return rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of(members))).json()
                .get("room_id").asText();
    }

    @Test
    void fiftyConcurrentSendersGetDistinctContiguousSeqs() throws Exception {
        String room = group("s0", "s1");
        var seqs = new ConcurrentLinkedQueue<Long>();
        try (var pool = Executors.newFixedThreadPool(50)) {
            for (int i = 0; i < 50; i++) {
                String sender = i % 2 == 0 ? "s0" : "s1";
                int n = i;
                pool.submit(() -> {
                    for (int j = 0; j < 4; j++) {
                        var r = rest.post("/rooms/" + room + "/messages", Tokens.user(sender),
                                Map.of("content", "c" + n + "-" + j));
                        seqs.add(r.json().get("seq").asLong());
                    }
                });
            }
        }
        assertThat(new HashSet<>(seqs)).hasSize(200);
        assertThat(seqs.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(200);
        assertThat(seqs.stream().mapToLong(Long::longValue).min().orElseThrow()).isEqualTo(1);
    }

    @Test
    void offlineMembersAreNotifiedThroughTheSignedWebhookButBotsAndTheSenderAreNot() throws Exception {
        String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("on", "off"),
                "metadata", "{\"shop\":\"42\"}")).json().get("room_id").asText();
        try (var online = server.ws(Tokens.user("on"))) {
            online.send("send_message", Map.of("room_id", room, "content", "are you there?"));
            online.await("message");
            await().atMost(Duration.ofSeconds(10)).until(() -> !hook.ofType("message.offline").isEmpty());
        }
        var received = hook.ofType("message.offline");
        assertThat(received).hasSize(1);
        var r = received.get(0);
        assertThat(r.json().get("recipient_id").asText()).isEqualTo("off");
        assertThat(r.json().get("room_id").asText()).isEqualTo(room);
        assertThat(r.json().get("room_metadata").get("shop").asText()).isEqualTo("42");
        assertThat(r.json().get("message").get("content").asText()).isEqualTo("are you there?");
        assertThat(r.json().get("message").get("seq").asLong()).isEqualTo(1);
        assertThat(r.headers().get("content-type")).startsWith("application/json");
        verifySignatures(r);
    }

    @Test
    void aSendToManyMembersAwayStoresTheRoomsMetadataOnceAndNotifiesEachWithItsOwnExactBody() throws Exception {
        hook.respond(r -> new FakeWebhook.Answer(500, "{}")); // the outbox keeps every notification meanwhile
        String metadata = "{\"notes\":\"" + "n".repeat(60_000) + "\"}";
        List<String> away = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "away_" + i).toList();
        List<String> members = new java.util.ArrayList<>(away);
        members.add("writer");
        String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", members, "metadata", metadata))
                .json().get("room_id").asText();
        long before = storedBytes(server.database());

        JsonNode sent = rest.post("/rooms/" + room + "/messages", Tokens.user("writer"), Map.of("content", "hi all"))
                .json();

        assertThat(storedBytes(server.database()) - before).as("bytes the send stored")
                .isLessThan(4L * metadata.length());
        await().atMost(Duration.ofSeconds(20)).until(() -> hook.ofType("message.offline").stream()
                .map(r -> r.json().get("recipient_id").asText()).distinct().count() == away.size());
        for (FakeWebhook.Received r : hook.ofType("message.offline")) {
            String recipient = r.json().get("recipient_id").asText();
            assertThat(new String(r.raw(), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"message.offline\","
                    + "\"room_id\":\"" + room + "\",\"recipient_id\":\"" + recipient + "\",\"room_metadata\":"
                    + metadata + ",\"message\":{\"message_id\":\"" + sent.get("message_id").asText() + "\","
                    + "\"sender_id\":\"writer\",\"content\":\"hi all\",\"seq\":1,"
                    + "\"created_at\":\"" + sent.get("created_at").asText() + "\"}}");
            verifySignatures(r);
        }
    }

    /** The pages of the database that hold data, in bytes, as a connection of another process sees them. */
    private static long storedBytes(Path database) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement statement = connection.createStatement();
             var rs = statement.executeQuery("SELECT ((SELECT page_count FROM pragma_page_count())"
                     + " - (SELECT freelist_count FROM pragma_freelist_count()))"
                     + " * (SELECT page_size FROM pragma_page_size())")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void verifySignatures(FakeWebhook.Received r) throws Exception {
        byte[] key = Base64.getDecoder().decode(WEBHOOK_SECRET.substring("whsec_".length()));
        Mac compatible = Mac.getInstance("HmacSHA256");
        compatible.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(r.headers().get("x-chatapi-signature"))
                .isEqualTo("sha256=" + HexFormat.of().formatHex(compatible.doFinal(r.raw())));
        String id = r.headers().get("webhook-id");
        String timestamp = r.headers().get("webhook-timestamp");
        assertThat(id).isNotBlank();
        assertThat(Long.parseLong(timestamp)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
        Mac standard = Mac.getInstance("HmacSHA256");
        standard.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] signed = standard.doFinal((id + "." + timestamp + "." + new String(r.raw(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8));
        assertThat(r.headers().get("webhook-signature")).isEqualTo("v1," + Base64.getEncoder().encodeToString(signed));
    }

    @Test
    void aFailingReceiverIsRetriedWithTheSameWebhookIdUntilItRecovers() {
        hook.failNext(2);
        String room = group("rx", "ry");
        rest.post("/rooms/" + room + "/messages", Tokens.user("rx"), Map.of("content", "ping"));
        await().atMost(Duration.ofSeconds(20)).until(() -> hook.ofType("message.offline").size() >= 3);
        var attempts = hook.ofType("message.offline");
        Set<String> ids = new HashSet<>();
        attempts.forEach(a -> ids.add(a.headers().get("webhook-id")));
        assertThat(ids).hasSize(1);
        JsonNode metrics = rest.get("/metrics", null).json();
        assertThat(metrics.get("messages_sent").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aPushNotificationWaitingForItsRetryIsDroppedOnceItsRecipientHasReadTheMessage() throws Exception {
        int attempts = readWhileTheReceiverFails("px", "py", room -> { }).attempts();

        await().during(Duration.ofMillis(3_500)).atMost(Duration.ofSeconds(5))
                .until(() -> hook.ofType("message.offline").size() == attempts);
        assertThat(rest.get("/admin/dead-letters", ADMIN).json().get("failed_messages")).isEmpty();
    }

    @Test
    void aPushNotificationReadBeforeItsRecipientLeftIsNotRetriedAfterTheyLeaveNorAfterTheyJoinAgain() throws Exception {
        Read read = readWhileTheReceiverFails("lx", "ly", room ->
                assertThat(rest.delete("/rooms/" + room + "/members/ly", Tokens.user("ly")).status()).isEqualTo(204));
        int attempts = read.attempts();

        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3))
                .until(() -> hook.ofType("message.offline").size() == attempts);
        assertThat(rest.post("/rooms/" + read.room() + "/members", Tokens.user("lx"), Map.of("user_id", "ly")).status())
                .isEqualTo(204);
        await().during(Duration.ofMillis(2_000)).atMost(Duration.ofSeconds(3))
                .until(() -> hook.ofType("message.offline").size() == attempts);
        assertThat(rest.get("/admin/dead-letters", ADMIN).json().get("failed_messages")).isEmpty();
    }

    /**
     * With the receiver failing, {@code sender} writes to {@code reader}, who is away; once the push was attempted
     * the reader acks the message, then {@code afterAck} runs on the room. Returns the room and the attempts so
     * far: retry n comes ½–1 × 200 ms × 2^(n-1) after attempt n, so with at most four the next would be due within
     * 3.2 s.
     */
    private Read readWhileTheReceiverFails(String sender, String reader, Consumer<String> afterAck)
            throws InterruptedException {
        hook.respond(r -> new FakeWebhook.Answer(500, "{\"error\":\"down\"}"));
        String room = group(sender, reader);
        rest.post("/rooms/" + room + "/messages", Tokens.user(sender), Map.of("content", "read it elsewhere"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> !hook.ofType("message.offline").isEmpty());
        assertThat(rest.post("/acks", Tokens.user(reader), Map.of("room_id", room, "seq", 1)).status())
                .isEqualTo(200);
        afterAck.accept(room);
        Thread.sleep(500); // an attempt already under way when the ack came has reached the receiver by now
        int attempts = hook.ofType("message.offline").size();
        assertThat(attempts).isBetween(1, 4);
        return new Read(room, attempts);
    }

    private record Read(String room, int attempts) {
    }

    @Test
    void queuedMessagesAreRedeliveredOverTheSocketWhenTheUserComesBack() {
        String room = group("q1", "q2");
        rest.post("/rooms/" + room + "/messages", Tokens.user("q1"), Map.of("content", "while you were away"));
        try (var back = server.ws(Tokens.user("q2"))) {
            JsonNode message = back.await("message");
            assertThat(message.get("content").asText()).isEqualTo("while you were away");
            assertThat(back.drain(Duration.ofMillis(800)))
                    .noneMatch(e -> e.path("type").asText().equals("message"));
        }
        assertThat(rest.get("/metrics", null).json().get("delivery_attempts").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aMemberRemovedDuringTheirRedeliveryGetsNothingMoreOfTheRoomAfterTheAnswer() {
        String room = group("x1", "x2");
        try (var pool = Executors.newFixedThreadPool(16)) {
            for (int i = 1; i <= 1_500; i++) { // more than the page of 1,000 entries the worker reads at once
                String content = "queued " + i;
                pool.submit(() -> rest.post("/rooms/" + room + "/messages", Tokens.user("x1"),
                        Map.of("content", content)));
            }
        }
        try (var back = server.ws(Tokens.user("x2"))) {
            back.await("message");
            assertThat(rest.delete("/rooms/" + room + "/members/x2", Tokens.user("x2")).status()).isEqualTo(204);
            back.send("ping", null);
            back.await("pong");
            assertThat(back.drain(Duration.ofMillis(1_500)))
                    .noneMatch(e -> e.path("type").asText().equals("message"));
        }
    }

    @Test
    void aMemberWhoseSocketClosedWhileTheSendWaitedForTheDatabaseGetsItOnAPlainReconnect() throws Exception {
        String room = group("w1", "w2");
        CompletableFuture<Rest.Response> sent;
        try (var lock = new WriteLock(server.database()); var leaving = server.ws(Tokens.user("w2"))) {
            sent = CompletableFuture.supplyAsync(() -> rest.post("/rooms/" + room + "/messages", Tokens.user("w1"),
                    Map.of("content", "during")));
            Thread.sleep(300);
            assertThat(sent).as("held by the other connection's write lock").isNotDone();
            leaving.close();
            Thread.sleep(300);
        }
        assertThat(sent.get().json().get("seq").asLong()).isEqualTo(1);

        try (var back = server.ws(Tokens.user("w2"))) {
            JsonNode message = back.await("message");
            assertThat(message.get("content").asText()).isEqualTo("during");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !hook.ofType("message.offline").isEmpty());
        assertThat(hook.ofType("message.offline")).extracting(r -> r.json().get("recipient_id").asText())
                .containsExactly("w2");
    }

    @Test
    void aSendCommittedAfterAGracefulStopClosedTheSocketsIsQueuedForTheirUsers() throws Exception {
        String room = group("g1", "g2");
        CompletableFuture<Void> restarted;
        try (var lock = new WriteLock(server.database()); var leaving = server.ws(Tokens.user("g2"))) {
            CompletableFuture.runAsync(() -> rest.post("/rooms/" + room + "/messages", Tokens.user("g1"),
                    Map.of("content", "as we stop")));
            Thread.sleep(300);
            restarted = CompletableFuture.runAsync(server::restart);
            leaving.awaitClose(); // told server.shutdown and closed while the send still waits for the database
            Thread.sleep(300);
        }
        restarted.get();

        try (var back = server.ws(Tokens.user("g2"))) {
            JsonNode message = back.await("message");
            assertThat(message.get("content").asText()).isEqualTo("as we stop");
        }
    }

    @Test
    void healthAnswersUnavailableBeforeSqlitesBusyTimeoutWhileAnotherProcessHoldsTheWriteLock() throws Exception {
        try (var lock = new WriteLock(server.database())) {
            long started = System.nanoTime();
            Rest.Response health = rest.get("/health", null);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().get("db_writable").asBoolean()).isFalse();
            assertThat(tookMillis).as("answered after the 2 s probe wait, not SQLite's 5 s busy timeout")
                    .isBetween(1_900L, 4_500L);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> rest.get("/health", null).status() == 200);
    }

    /** SQLite's write lock on the server's file, taken by a second connection as another process would. */
    private static final class WriteLock implements AutoCloseable {
        private final Connection connection;

        WriteLock(Path database) throws SQLException {
            connection = DriverManager.getConnection("jdbc:sqlite:" + database);
            try (Statement begin = connection.createStatement()) {
                begin.execute("BEGIN IMMEDIATE");
            }
        }

        @Override
        public void close() throws SQLException {
            try (Statement rollback = connection.createStatement()) {
                rollback.execute("ROLLBACK");
            } finally {
                connection.close();
            }
        }
    }

    @Test
    void anAckClearsTheQueueSoNothingIsRedelivered() {
        String room = group("k1", "k2");
        rest.post("/rooms/" + room + "/messages", Tokens.user("k1"), Map.of("content", "read elsewhere"));
        assertThat(rest.post("/acks", Tokens.user("k2"), Map.of("room_id", room, "seq", 1)).status()).isEqualTo(200);
        try (var back = server.ws(Tokens.user("k2"))) {
            assertThat(back.drain(Duration.ofSeconds(3))).noneMatch(e -> e.path("type").asText().equals("message"));
        }
    }

    @Test
    void aResumeStopsAtItsTextBudgetSaysSoAndRestServesTheRest() {
        String room = group("big1", "big2");
        String text = "y".repeat(15_998); // with the number in front, at most MAX_MESSAGE_CHARS (16,000)
        for (int i = 1; i <= 70; i++) {
            assertThat(rest.post("/rooms/" + room + "/messages", Tokens.user("big1"), Map.of("content", i + text))
                    .status()).isEqualTo(200);
        }
        Replay replay = resumeFromZero(room, "big2");
        // nine of 15,999 code units, then 16,000 each: 62 of them fit in 1,000,000, the 63rd would not
        assertThat(replay.messages()).isEqualTo(62);
        assertThat(replay.done().get("last_seq").asLong()).isEqualTo(62);
        assertThat(replay.done().get("complete").asBoolean()).isFalse();
        var rest2 = rest.get("/rooms/" + room + "/messages?after_seq=62&limit=100", Tokens.user("big2")).json();
        assertThat(rest2.get("messages")).hasSize(8);
    }

    @Test
    void aResumeCountsMetaInItsTextBudget() {
        String room = group("meta1", "meta2");
        String meta = "m".repeat(65_535);
        for (int i = 1; i <= 20; i++) {
            assertThat(rest.post("/rooms/" + room + "/messages", Tokens.user("meta1"),
                    Map.of("content", "x", "meta", meta)).status()).isEqualTo(200);
        }
        Replay replay = resumeFromZero(room, "meta2");
        // 65,536 code units each (a one-character content and its meta): 15 fit in 1,000,000, the 16th would not
        assertThat(replay.messages()).isEqualTo(15);
        assertThat(replay.done().get("last_seq").asLong()).isEqualTo(15);
        assertThat(replay.done().get("complete").asBoolean()).isFalse();
    }

    /** What a resume of the room from seq 0 gives a new socket of the user: its messages, and its resume.done. */
    private record Replay(long messages, JsonNode done) {
    }

    private Replay resumeFromZero(String room, String user) {
        try (var back = server.ws(Tokens.user(user))) {
            back.send("resume", Map.of("rooms", Map.of(room, 0)));
            JsonNode done = back.await("resume.done");
            return new Replay(back.seen().stream().filter(e -> "message".equals(e.path("type").asText())).count(),
                    done);
        }
    }

    @Test
    void aResumeThatReplaysNothingStillClearsWhatTheClientHolds() {
        String room = group("h1", "h2");
        long seq = rest.post("/rooms/" + room + "/messages", Tokens.user("h1"), Map.of("content", "seen elsewhere"))
                .json().get("seq").asLong();
        try (var back = server.ws(Tokens.user("h2"))) {
            back.send("resume", Map.of("rooms", Map.of(room, seq)));
            JsonNode done = back.await("resume.done");
            assertThat(done.get("last_seq").asLong()).isEqualTo(seq);
            assertThat(back.drain(Duration.ofSeconds(3))).noneMatch(e -> e.path("type").asText().equals("message"));
        }
    }
}
