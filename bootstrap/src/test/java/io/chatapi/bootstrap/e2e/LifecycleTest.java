package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token expiry and refresh, graceful shutdown, and durability across restarts and crashes. */
class LifecycleTest {
    private static final String ADMIN = Tokens.admin("backend");

    /** Where the child servers of a test keep their files; deleted after the test. */
    @TempDir
    Path temp;

    @Test
    void anExpiredTokenGetsAuthExpiredAndClose4001UnlessRefreshed() {
        try (var server = TestServer.start(Map.of("JWT_LEEWAY", "0s"))) {
            var shortLived = Tokens.token("exp1", null, Instant.now().plusSeconds(2));
            try (var c = server.ws(shortLived)) {
                c.await("auth.expired");
                assertThat(c.awaitClose()).isEqualTo(4001);
            }
            try (var c = server.ws(Tokens.token("exp2", null, Instant.now().plusSeconds(2)))) {
                Instant later = Instant.now().plusSeconds(3600);
                c.send("auth.refresh", Map.of("token", Tokens.token("exp2", null, later)));
                JsonNode refreshed = c.await("auth.refreshed");
                assertThat(refreshed.get("exp").asLong()).isEqualTo(later.getEpochSecond());
                c.send("auth.refresh", Map.of("token", Tokens.token("someone-else", null, later)));
                assertThat(c.await("error").get("data").get("code").asText()).isIn("unauthorized", "invalid_request");
                assertThat(c.drain(Duration.ofSeconds(3))).noneMatch(e -> e.path("type").asText().equals("auth.expired"));
                assertThat(c.isClosed()).isFalse();
            }
        }
    }

    @Test
    void aGracefulRestartDoesNotAnnounceThoseWhoComeBackButDoesAnnounceNewcomers() {
        var server = TestServer.start();
        server.rest().post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("pr-back", "pr-peer", "pr-new")));
        var back = server.ws(Tokens.user("pr-back"));
        var peer = server.ws(Tokens.user("pr-peer"));
        back.await(e -> isPresence(e, "pr-peer", "online"), "the peer's online before the restart");
        Thread.ofVirtual().start(server::close);
        assertThat(back.awaitClose()).isEqualTo(1012);
        assertThat(peer.awaitClose()).isEqualTo(1012);
        server.restart();
        try (var peerAgain = server.ws(Tokens.user("pr-peer")); var backAgain = server.ws(Tokens.user("pr-back"));
             var newcomer = server.ws(Tokens.user("pr-new"))) {
            peerAgain.await(e -> isPresence(e, "pr-new", "online"), "the newcomer's online");
            assertThat(peerAgain.drain(Duration.ofMillis(300))).noneMatch(e -> isPresence(e, "pr-back", "online"));
            assertThat(peerAgain.seen()).noneMatch(e -> isPresence(e, "pr-back", "online"));
        } finally {
            server.close();
        }
    }

    private static boolean isPresence(JsonNode event, String user, String status) {
        return event.path("type").asText().equals("presence.update") && event.path("user_id").asText().equals(user)
                && event.path("status").asText().equals(status);
    }

    @Test
    void gracefulShutdownAnnouncesAJitteredReconnectThenCloses1012AndKeepsEverything() {
        var server = TestServer.start();
        var rest = server.rest();
        String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("g1", "g2"))).json()
                .get("room_id").asText();
        for (int i = 0; i < 20; i++) {
            rest.post("/rooms/" + room + "/messages", Tokens.user("g1"), Map.of("content", "m" + i));
        }
        var c = server.ws(Tokens.user("g2"));
        int port = server.port();
        Thread.ofVirtual().start(server::close);
        JsonNode shutdown = c.await("server.shutdown");
        assertThat(shutdown.get("reconnect_after_ms").asLong()).isBetween(1000L, 1800L);
        assertThat(c.awaitClose()).isEqualTo(1012);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (var probe = new java.net.Socket("127.0.0.1", port)) {
                return false;
            } catch (IOException e) {
                return true;
            }
        });
        server.restart();
        var history = server.rest().get("/rooms/" + room + "/messages?limit=100", Tokens.user("g1"));
        assertThat(history.json().get("messages")).hasSize(20);
        server.close();
    }

    @Test
    void aGracefulStopLetsWebhookRequestsInFlightFinishSoTheReceiverGetsNoneTwice() throws Exception {
        try (var hook = new FakeWebhook();
             var server = TestServer.start(Map.of("WEBHOOK_URL", hook.url()))) {
            hook.respond(r -> {
                try {
                    Thread.sleep(400); // a receiver that takes its time: requests are in flight at the stop
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new FakeWebhook.Answer(200, "{}");
            });
            var rest = server.rest();
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members",
                    List.of("wh-writer", "wh-away1", "wh-away2"))).json().get("room_id").asText();
            for (int i = 0; i < 10; i++) {
                rest.post("/rooms/" + room + "/messages", Tokens.user("wh-writer"), Map.of("content", "m" + i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !hook.ofType("message.offline").isEmpty());
            server.restart();
            await().atMost(Duration.ofSeconds(30)).until(() -> webhookIds(hook).size() == 20);
            Thread.sleep(1_000); // a repeat would come at once: the restarted worker's first pass runs at its start
            List<String> ids = hook.ofType("message.offline").stream().map(r -> r.headers().get("webhook-id")).toList();
            assertThat(ids).as("every notification once").hasSize(20).doesNotHaveDuplicates();
        }
    }

    private static Set<String> webhookIds(FakeWebhook hook) {
        Set<String> ids = new HashSet<>();
        hook.ofType("message.offline").forEach(r -> ids.add(r.headers().get("webhook-id")));
        return ids;
    }

    @Test
    void aReadReceiptDoesNotGoBackAfterARestart() {
        var server = TestServer.start();
        var rest = server.rest();
        String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("rr1", "rr2"))).json()
                .get("room_id").asText();
        for (int i = 0; i < 5; i++) {
            rest.post("/rooms/" + room + "/messages", Tokens.user("rr2"), Map.of("content", "m" + i));
        }
        assertThat(rest.post("/acks", Tokens.user("rr1"), Map.of("room_id", room, "seq", 4)).status()).isEqualTo(200);
        server.restart();

        var peer = server.ws(Tokens.user("rr2"));
        var after = server.rest();
        assertThat(after.post("/acks", Tokens.user("rr1"), Map.of("room_id", room, "seq", 2)).status())
                .isEqualTo(200);
        assertThat(after.post("/acks", Tokens.user("rr1"), Map.of("room_id", room, "seq", 4)).status())
                .isEqualTo(200);
        assertThat(after.post("/acks", Tokens.user("rr1"), Map.of("room_id", room, "seq", 5)).status())
                .isEqualTo(200);
        assertThat(peer.await("ack.received").get("seq").asLong()).as("the first receipt after the restart")
                .isEqualTo(5);
        server.close();
    }

    @Test
    void clientsThatAskForReplaysAndStopReadingCannotFillTheHeap() throws Exception {
        Path dir = Files.createTempDirectory(temp, "stalled");
        int port = freePort();
        Map<String, String> env = childEnvironment(port, dir, Map.of("RATE_LIMIT_MESSAGES", "0"));
        // each socket may queue 8 M code units (16 MB of UTF-16 text): ten that stop reading would need 160 MB
        Process child = startHealthy(port, env, dir, "export JDK_JAVA_OPTIONS=-Xmx96m && ");
        try {
            var rest = new Rest(port);
            List<String> readers = java.util.stream.IntStream.range(0, 10).mapToObj(i -> "nr" + i).toList();
            List<String> rooms = new java.util.ArrayList<>();
            String text = "\u0100".repeat(16_000);
            for (int r = 0; r < 8; r++) {
                List<String> members = new java.util.ArrayList<>(readers);
                members.add("writer");
                String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", members)).json()
                        .get("room_id").asText();
                rooms.add(room);
                for (int m = 0; m < 60; m++) {
                    assertThat(rest.post("/rooms/" + room + "/messages", Tokens.user("writer"),
                            Map.of("content", text)).status()).isEqualTo(200);
                }
            }
            Map<String, Object> fromTheStart = new java.util.HashMap<>();
            rooms.forEach(room -> fromTheStart.put(room, 0));
            String resume = WsClient.JSON.writeValueAsString(Map.of("type", "resume",
                    "data", Map.of("rooms", fromTheStart)));
            List<StalledSocket> stalled = new java.util.ArrayList<>();
            try {
                for (String reader : readers) {
                    StalledSocket socket = StalledSocket.connect(port, Tokens.user(reader));
                    stalled.add(socket);
                    socket.send(resume);
                }
                Thread.sleep(5_000);
                assertThat(child.isAlive()).as("the server is still running").isTrue();
                assertThat(rest.get("/health", null).status()).isEqualTo(200);
                assertThat(rest.post("/rooms/" + rooms.get(0) + "/messages", Tokens.user("writer"),
                        Map.of("content", "still here")).status()).isEqualTo(200);
                assertThat(rest.get("/metrics", null).json().get("slow_consumer_closes").asLong())
                        .as("sockets that stopped reading were cut").isPositive();
            } finally {
                for (StalledSocket socket : stalled) {
                    socket.close();
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void nothingAcknowledgedIsLostWhenTheProcessIsKilledMidLoad() throws Exception {
        Path dir = Files.createTempDirectory(temp, "kill");
        int port = freePort();
        Map<String, String> env = childEnvironment(port, dir, Map.of("RATE_LIMIT_MESSAGES", "0"));
        Process child = startHealthy(port, env, dir, "");
        try {
            var rest = new Rest(port);
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("k1", "k2")))
                    .json().get("room_id").asText();
            Set<String> acked = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            try (var pool = Executors.newFixedThreadPool(8)) {
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    pool.submit(() -> {
                        for (int i = 0; !stop.get() && i < 100_000; i++) {
                            try {
                                var r = rest.post("/rooms/" + room + "/messages", Tokens.user("k1"),
                                        Map.of("content", "t" + thread + "-" + i));
                                if (r.status() == 200) {
                                    acked.add(r.json().get("message_id").asText());
                                }
                            } catch (RuntimeException e) {
                                return;
                            }
                        }
                    });
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 300);
                child.destroyForcibly();
                child.waitFor();
                stop.set(true);
            }
            assertThat(acked).hasSizeGreaterThanOrEqualTo(300);
            child = startHealthy(port, env, dir, "");
            Set<String> stored = new HashSet<>();
            long after = 0;
            while (true) {
                var page = rest.get("/rooms/" + room + "/messages?limit=100&after_seq=" + after, Tokens.user("k2"))
                        .json().get("messages");
                if (page.isEmpty()) {
                    break;
                }
                for (JsonNode m : page) {
                    stored.add(m.get("message_id").asText());
                    after = m.get("seq").asLong();
                }
            }
            assertThat(stored).containsAll(acked);
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void aKillWhileTheOfflineQueueIsRedeliveredLosesNoneOfIt() throws Exception {
        final int messages = 120;
        Path dir = Files.createTempDirectory(temp, "redelivery");
        int port = freePort();
        // a pass while the user is away counts an attempt, and five make a dead letter: passes 3 s apart
        Map<String, String> env = childEnvironment(port, dir, Map.of("RATE_LIMIT_MESSAGES", "0",
                "WORKER_INTERVAL", "3s", "MAX_MESSAGE_CHARS", "40000"));
        Process child = startHealthy(port, env, dir, "");
        Set<Long> received = ConcurrentHashMap.newKeySet();
        try {
            var rest = new Rest(port);
            String room = rest.post("/rooms", ADMIN, Map.of("type", "group", "members", List.of("writer", "away")))
                    .json().get("room_id").asText();
            // 120 messages of 40,000 characters: more than the socket's queue takes at once (4 M characters) and
            // than the kernel's buffers hold (about 4 MB)
            String text = "x".repeat(40_000);
            for (int i = 0; i < messages; i++) {
                var sent = rest.post("/rooms/" + room + "/messages", Tokens.user("writer"), Map.of("content", text));
                assertThat(sent.status()).as("%s", sent.body()).isEqualTo(200);
            }
            // back without resume: the offline queue re-delivers to a client that reads nothing, so most of it waits
            // in the server's own queue for the socket when the process is killed
            try (StalledSocket away = StalledSocket.connect(port, Tokens.user("away"))) {
                Thread.sleep(8_000);
                child.destroyForcibly();
                child.waitFor();
                away.readUntilServerEnds(Duration.ofSeconds(10), frame -> seqOfMessage(frame, received));
            }
            assertThat(received).as("what the killed process had handed to the system").hasSizeLessThan(messages);
            child = startHealthy(port, env, dir, "");
            try (WsClient back = WsClient.connect(port, Tokens.user("away"))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (received.size() < messages && System.nanoTime() < deadline) {
                    JsonNode event = back.next(Duration.ofSeconds(1));
                    if (event != null && "message".equals(event.path("type").asText())) {
                        received.add(event.get("seq").asLong());
                    }
                }
            }
            assertThat(received).as("every queued message, after the restart for those the kill cut off")
                    .hasSize(messages);
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    private static void seqOfMessage(String frame, Set<Long> seqs) {
        try {
            JsonNode event = WsClient.JSON.readTree(frame);
            if ("message".equals(event.path("type").asText())) {
                seqs.add(event.get("seq").asLong());
            }
        } catch (java.io.IOException e) {
            // the last frame, cut short by the kill: not received
        }
    }

    @Test
    void aNonAsciiSecretIsItsUtf8BytesWhateverTheLocale() throws Exception {
        Path dir = Files.createTempDirectory(temp, "locale");
        int port = freePort();
        String secret = "shört-säcret-with-ümlauts-0123456789-abcdef";
        Map<String, String> env = childEnvironment(port, dir, Map.of());
        env.remove("JWT_SECRET");
        // the secret is set by bash from its UTF-8 bytes, in the POSIX locale, where the JVM decodes the
        // environment as ASCII
        StringBuilder bytes = new StringBuilder();
        for (byte b : secret.getBytes(StandardCharsets.UTF_8)) {
            bytes.append(String.format("\\x%02x", b & 0xff));
        }
        Process child = startHealthy(port, env, dir,
                "unset LANG LC_ALL LC_CTYPE LANGUAGE && export JWT_SECRET=\"$(printf '" + bytes + "')\" && ");
        try {
            var rest = new Rest(port);
            var jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
                    new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("locale-user").build());
            jwt.sign(new com.nimbusds.jose.crypto.MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            assertThat(rest.get("/rooms", jwt.serialize()).status()).isEqualTo(200);
            assertThat(rest.get("/rooms", Tokens.user("locale-user")).status()).isEqualTo(401);
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void aDatabaseFileThatCannotBeOpenedEndsTheStartWithAMessageAndNoStackTrace() throws Exception {
        Path dir = Files.createTempDirectory(temp, "bad-db");
        Path file = dir.resolve("not-a-database.db");
        Files.writeString(file, "these bytes are text, not an SQLite database, and there are enough of them");
        Process child = startChild(childEnvironment(freePort(), dir, Map.of("DATABASE_DSN", "file:" + file)), dir, "");
        try {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(2);
            String log = Files.readString(dir.resolve("server.log"));
            assertThat(log).contains("chatapi: DATABASE_DSN: cannot open the database " + file.toAbsolutePath())
                    .contains("not a database").doesNotContain("\tat ").doesNotContain("Exception in thread")
                    .doesNotContain("SQL State").doesNotContain("-----");
            assertThat(Files.readString(file)).startsWith("these bytes are text");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void aSecondServerOnTheSameDatabaseFileIsRefusedAndTheFilesAreTheOwnersOnly() throws Exception {
        Path dir = Files.createTempDirectory(temp, "one-server");
        Path file = dir.resolve("data/new/chat.db");
        try (TestServer first = TestServer.start(Map.of("DATABASE_DSN", "file:" + file))) {
            assertThat(first.rest().get("/health", null).status()).isEqualTo(200);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.resolveSibling("chat.db-wal"))))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data"))))
                    .isEqualTo("rwx------");

            Process second = startChild(childEnvironment(freePort(), dir, Map.of("DATABASE_DSN", "file:" + file)), dir, "");
            try {
                assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(second.exitValue()).isEqualTo(2);
                assertThat(Files.readString(dir.resolve("server.log")))
                        .contains("chatapi: DATABASE_DSN: another server is using the database " + file)
                        .doesNotContain("\tat ");
            } finally {
                second.destroyForcibly();
                second.waitFor();
            }
            assertThat(first.rest().get("/health", null).status()).isEqualTo(200);
        }
        try (TestServer again = TestServer.start(Map.of("DATABASE_DSN", "file:" + file))) {
            assertThat(again.rest().get("/health", null).status()).as("the lock went with the first server")
                    .isEqualTo(200);
        }
    }

    @Test
    void aBadValueIsQuotedInUtf8WhenTheLocaleSetsNoCharset() throws Exception {
        Path dir = Files.createTempDirectory(temp, "no-locale");
        Process child = startChild(childEnvironment(freePort(), dir, Map.of()), dir,
                "export MAX_FRAME_BYTES=$'\\xc3\\xa91' && unset LANG LC_ALL LC_CTYPE && ");
        try {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(2);
            assertThat(Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8))
                    .contains("chatapi: invalid MAX_FRAME_BYTES=\"\u00e91\"");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void anOpenFileLimitWithNoRoomForConnectionsEndsTheStartWithOneLine() throws Exception {
        Path dir = Files.createTempDirectory(temp, "no-files");
        Process child = startChild(childEnvironment(freePort(), dir, Map.of()), dir, "ulimit -n 150 && ");
        try {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("a process that would listen to nothing ends").isTrue();
            String log = Files.readString(dir.resolve("server.log"));
            assertThat(child.exitValue()).as(log).isEqualTo(2);
            assertThat(log).contains(": the open-file limit leaves no room for connections")
                    .contains("ulimit -n").doesNotContain("\tat ").doesNotContain("listening on")
                    .doesNotContain("SEVERE");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void aPortInUseEndsTheStartWithOneLineNamingListenAddrAndAFailureStatus() throws Exception {
        Path dir = Files.createTempDirectory(temp, "port-in-use");
        try (var taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Process child = startChild(childEnvironment(port, dir, Map.of()), dir, "");
            try {
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(child.exitValue()).isEqualTo(2);
                String log = Files.readString(dir.resolve("server.log"));
                assertThat(log).contains("chatapi: LISTEN_ADDR=127.0.0.1:" + port + ": address already in use")
                        .doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("listening on")
                        .doesNotContain("SEVERE");
                try (var files = Files.list(dir)) {
                    assertThat(files.map(f -> f.getFileName().toString()))
                            .as("no database made or migrated for a server that could not listen")
                            .containsExactly("server.log");
                }
            } finally {
                child.destroyForcibly();
                child.waitFor();
            }
        }
    }

    @Test
    void anAddressTheSystemRefusesToBindEndsTheStartWithOneLineBeforeAnyDatabase() throws Exception {
        // an IPv6 link-local address on no interface: bind(2) answers EINVAL, not EADDRINUSE; multicast and
        // broadcast addresses, 127.255.255.255 that of the loopback network, take no connection (the system binds
        // the IPv4 ones)
        for (String host : List.of("[fe80::1]", "[ff02::1]", "224.0.0.1", "255.255.255.255", "127.255.255.255")) {
            Path dir = Files.createTempDirectory(temp, "bad-bind");
            String address = host + ":18113";
            Process child = startChild(childEnvironment(18113, dir, Map.of("LISTEN_ADDR", address)), dir, "");
            try {
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(child.exitValue()).isEqualTo(2);
                String log = Files.readString(dir.resolve("server.log"));
                assertThat(log.lines().toList()).as(log).singleElement().satisfies(line ->
                        assertThat(line).startsWith("chatapi: LISTEN_ADDR=" + address + ": ")
                                .doesNotEndWith("cannot listen there")
                                .endsWith(host.startsWith("[fe80") ? "invalid argument" : "takes no connections"));
                try (var files = Files.list(dir)) {
                    assertThat(files.map(f -> f.getFileName().toString())).containsExactly("server.log");
                }
            } finally {
                child.destroyForcibly();
                child.waitFor();
            }
        }
    }

    @Test
    void aListenAddrHostThatDoesNotResolveEndsTheStartWithOneLine() throws Exception {
        Path dir = Files.createTempDirectory(temp, "bad-host");
        Process child = startChild(childEnvironment(18112, dir, Map.of("LISTEN_ADDR", "no-such-host.invalid:18112")),
                dir, "");
        try {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isEqualTo(2);
            assertThat(Files.readString(dir.resolve("server.log")))
                    .contains("invalid LISTEN_ADDR=\"no-such-host.invalid:18112\": the host does not resolve")
                    .doesNotContain("\tat ").doesNotContain("Exception");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void whatTheGracefulStopLogsAfterSigtermReachesTheLog() throws Exception {
        Path dir = Files.createTempDirectory(temp, "stop-log");
        int port = freePort();
        Process child = startHealthy(port, childEnvironment(port, dir, Map.of()), dir, "");
        try {
            child.destroy();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(dir.resolve("server.log")))
                    .containsPattern("stopped in \\d+ ms \\(bot replies ended \\d+ ms, sockets closed and web server "
                            + "stopped \\d+ ms, presence kept after \\d+ ms, workers and database \\d+ ms\\)");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void runningOutOfOpenFilesHoldsNewConnectionsBackInsteadOfEndingTheListener() throws Exception {
        Path dir = Files.createTempDirectory(temp, "files");
        int port = freePort();
        Process child = startWithFewOpenFiles(port, dir);
        List<java.net.Socket> held = new java.util.ArrayList<>();
        try {
            var rest = new Rest(port);
            for (int i = 0; i < 500; i++) {
                held.add(new java.net.Socket("127.0.0.1", port));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(dir.resolve("server.log"))
                    .contains("connections at once"));
            for (var socket : held) {
                socket.close();
            }
            held.clear();
            awaitHealthy(rest);
            assertThat(Files.readString(dir.resolve("server.log")))
                    .doesNotContain("Too many open files")
                    .doesNotContain("server socket is terminating");
            assertThat(child.isAlive()).isTrue();
        } finally {
            for (var socket : held) {
                socket.close();
            }
            child.destroyForcibly();
            child.waitFor();
        }
    }

    @Test
    void aStopWhileClientsWaitForAConnectionSlotLogsNoStackTrace() throws Exception {
        Path dir = Files.createTempDirectory(temp, "full-stop");
        int port = freePort();
        Process child = startWithFewOpenFiles(port, dir);
        List<java.net.Socket> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                held.add(new java.net.Socket("127.0.0.1", port)); // beyond the cap they wait in the accept queue
            }
            Thread.sleep(500); // the listener takes the slots and waits for a free one
            child.destroy();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(dir.resolve("server.log")))
                    .contains("stopped in")
                    .doesNotContain("server socket is terminating")
                    .doesNotContain("Exception");
        } finally {
            for (var socket : held) {
                socket.close();
            }
            child.destroyForcibly();
            child.waitFor();
        }
    }

    /** The server in a new JVM with an open-file limit of 400 (a connection cap of about 200), once healthy. */
    private static Process startWithFewOpenFiles(int port, Path dir) throws IOException {
        return startHealthy(port, childEnvironment(port, dir, Map.of()), dir, "ulimit -n 400 && ");
    }

    /** {@link #startChild}, once the server answers {@code /health} on {@code port}; ended if it never does. */
    private static Process startHealthy(int port, Map<String, String> env, Path dir, String shellSetup)
            throws IOException {
        Process child = startChild(env, dir, shellSetup);
        try {
            awaitHealthy(new Rest(port));
        } catch (RuntimeException | Error e) {
            child.destroyForcibly();
            throw e;
        }
        return child;
    }

    /** Waits (30 s at most) until the child server behind {@code rest} answers {@code /health} with 200. */
    private static void awaitHealthy(Rest rest) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> rest.get("/health", null).status() == 200);
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Map<String, String> childEnvironment(int port, Path dir, Map<String, String> more) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("JWT_SECRET", Tokens.SECRET,
                "LISTEN_ADDR", "127.0.0.1:" + port, "DATABASE_DSN", "file:" + dir.resolve("chat.db")));
        env.putAll(more);
        return env;
    }

    /**
     * The server in a new JVM with the JVM options it ships with (the build puts them in {@code target/}), started
     * by bash after {@code shellSetup} (which ends with {@code && } when set).
     */
    private static Process startChild(Map<String, String> env, Path dir, String shellSetup) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path options = Path.of("target", "jvm.options").toAbsolutePath();
        assertThat(options).as("the JVM options the build copies beside the jar").isRegularFile();
        // SQLite's native library is copied into the test's directory: a child killed with SIGKILL cannot remove it
        var builder = new ProcessBuilder("bash", "-c",
                shellSetup + "exec \"$0\" \"@$2\" \"-Dorg.sqlite.tmpdir=$3\" -cp \"$1\" io.chatapi.bootstrap.Main",
                java, System.getProperty("java.class.path"), options.toString(), dir.toString());
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        return builder.start();
    }
}
