package io.chatapi.adapters.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatapi.application.port.out.BotContextReply;
import io.chatapi.application.port.out.BotContextRequest;
import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.ChatTurn;
import io.chatapi.application.port.out.WebhookBody;
import io.chatapi.application.port.out.WebhookEvent;
import io.chatapi.application.port.out.WebhookException;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.HandoffState;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpWebhookSenderTest {
    private static final String SECRET = "s3cret-value-for-tests";
    private static final Instant CREATED = Instant.parse("2026-04-02T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private FakeWebhookServer server;

    @BeforeEach
    void start() throws Exception {
        server = new FakeWebhookServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpWebhookSender sender(String secret) {
        return new HttpWebhookSender(new WebhookSettings(server.url(), secret, Duration.ofSeconds(5)));
    }

    // ---- life cycle ----

    @Test
    void aClosedSenderRefusesToPostAndSendsNothing() throws Exception {
        HttpWebhookSender sender = sender(SECRET);
        sender.deliver("wh_before", "{}");
        assertThat(server.take().header("webhook-id")).isEqualTo("wh_before");

        sender.close();
        sender.close();

        assertThatThrownBy(() -> sender.deliver("wh_after", "{}")).isInstanceOf(WebhookException.class)
                .hasMessageContaining("closed");
        HttpWebhookSender neverUsed = sender(SECRET);
        neverUsed.close();
        assertThatThrownBy(() -> neverUsed.deliver("wh_never", "{}")).isInstanceOf(WebhookException.class);
        assertThat(server.pending()).isZero();
    }

    // ---- signatures ----

    @Test
    void signsWithBothSchemesUsingTheRawSecret() throws Exception {
        String body = "{\"type\":\"message.offline\",\"content\":\"h\u00e9llo \uD83D\uDE00\"}";

        sender(SECRET).deliver("wh_stable1", body);

        var request = server.take();
        byte[] sent = body.getBytes(StandardCharsets.UTF_8);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.body()).isEqualTo(sent);
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("X-ChatAPI-Signature"))
                .isEqualTo("sha256=" + HexFormat.of().formatHex(hmac(SECRET.getBytes(StandardCharsets.UTF_8), sent)));
        assertThat(request.header("webhook-id")).isEqualTo("wh_stable1");
        String timestamp = request.header("webhook-timestamp");
        assertThat(Long.parseLong(timestamp)).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(300L));
        byte[] signed = ("wh_stable1." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
        assertThat(request.header("webhook-signature"))
                .isEqualTo("v1," + Base64.getEncoder().encodeToString(hmac(SECRET.getBytes(StandardCharsets.UTF_8), signed)));
    }

    @Test
    void aWhsecSecretKeysTheStandardSignatureWithItsDecodedBytes() throws Exception {
        byte[] key = new byte[24];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 37 + 11);
        }
        String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        String body = "{\"type\":\"room.handoff\"}";

        sender(secret).deliver("wh_abc", body);

        var request = server.take();
        byte[] sent = body.getBytes(StandardCharsets.UTF_8);
        String timestamp = request.header("webhook-timestamp");
        byte[] signed = ("wh_abc." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
        String expected = "v1," + Base64.getEncoder().encodeToString(hmac(key, signed));
        String withRawSecret = "v1," + Base64.getEncoder().encodeToString(hmac(secret.getBytes(StandardCharsets.UTF_8), signed));
        assertThat(request.header("webhook-signature")).isEqualTo(expected).isNotEqualTo(withRawSecret);
        assertThat(request.header("X-ChatAPI-Signature"))
                .isEqualTo("sha256=" + HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), sent)));
    }

    @Test
    void theWebhookIdStaysTheSameAcrossRetries() throws Exception {
        var sender = sender(SECRET);
        sender.deliver("wh_retry", "{}");
        sender.deliver("wh_retry", "{}");

        assertThat(server.take().header("webhook-id")).isEqualTo("wh_retry");
        assertThat(server.take().header("webhook-id")).isEqualTo("wh_retry");
    }

    @Test
    void withoutASecretNothingIsSigned() throws Exception {
        sender(null).deliver("wh_1", "{}");
        sender("").deliver("wh_2", "{}");

        for (int i = 0; i < 2; i++) {
            var request = server.take();
            assertThat(request.header("X-ChatAPI-Signature")).isNull();
            assertThat(request.header("webhook-signature")).isNull();
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
        }
    }

    @Test
    void aWhsecSecretThatIsNotBase64IsRefusedWithoutEchoingIt() {
        String secret = "whsec_not*base64!";
        assertThatThrownBy(() -> sender(secret))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("not*base64");
    }

    @Test
    void withoutAUrlTheSenderIsDisabled() {
        var sender = new HttpWebhookSender(new WebhookSettings(null, SECRET, Duration.ofSeconds(1)));
        assertThat(sender.enabled()).isFalse();
        assertThatThrownBy(() -> sender.deliver("wh_1", "{}")).isInstanceOf(WebhookException.class);
        assertThat(sender(null).enabled()).isTrue();
    }

    // ---- bodies ----

    @Test
    void messageOfflineBodyEmbedsValidMetadataAsJson() throws Exception {
        Room room = room("{\"tenant\":\"acme\",\"tags\":[1,2]}");
        String body = sender(null).encode(new WebhookEvent.MessageOffline(room, "bob", message()));

        assertThat(JSON.readTree(body)).isEqualTo(JSON.readTree("""
                {"type":"message.offline","room_id":"room_1","recipient_id":"bob",
                 "room_metadata":{"tenant":"acme","tags":[1,2]},
                 "message":{"message_id":"msg_1","sender_id":"alice","content":"hi \\"there\\"","seq":7,
                            "created_at":"2026-04-02T12:00:00Z"}}
                """));
    }

    @Test
    void messageOfflineBodySendsInvalidMetadataAsAString() throws Exception {
        for (String metadata : List.of("not json", "{\"a\":1} trailing", "{\"a\":")) {
            String body = sender(null).encode(new WebhookEvent.MessageOffline(room(metadata), "bob", message()));
            JsonNode tree = JSON.readTree(body);
            assertThat(tree.get("room_metadata").isTextual()).as(metadata).isTrue();
            assertThat(tree.get("room_metadata").textValue()).isEqualTo(metadata);
        }
    }

    @Test
    void metadataIsSentAsTheApplicationWroteIt() {
        for (String metadata : List.of("1e400", "{\"big\":1.7976931348623157e309}",
                "0.1000000000000000055511151231257827021181583404541015625", "{\"a\":1,\"a\":2}",
                "[1, {\"x\": null}]", "\"text\"", "true")) {
            String body = sender(null).encode(new WebhookEvent.MessageOffline(room(metadata), "bob", message()));
            assertThat(body).as(metadata).contains(",\"room_metadata\":" + metadata + ",\"message\":");
        }
    }

    @Test
    void metadataNestedToTheParsersLimitIsStillSent() throws Exception {
        for (int depth : new int[] {999, 1000, 1001, 5000}) {
            String metadata = "[".repeat(depth) + "]".repeat(depth);
            String body = sender(null).encode(new WebhookEvent.MessageOffline(room(metadata), "bob", message()));
            assertThat(body).as("depth %d", depth).contains("\"room_metadata\":").contains("\"seq\":7");
        }
    }

    @Test
    void anUnpairedSurrogateInMetadataBecomesAReplacementCharacter() throws Exception {
        for (String metadata : List.of("{\"a\":\"x\uD800y\"}", "plain \uDC00 text", "\uD83D")) {
            String body = sender(null).encode(new WebhookEvent.MessageOffline(room(metadata), "bob", message()));
            JsonNode tree = JSON.readTree(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(tree.get("room_metadata").toString()).as(metadata).contains("\uFFFD").doesNotContain("\\u");
        }
        String paired = "{\"emoji\":\"\uD83D\uDE00\"}";
        assertThat(sender(null).encode(new WebhookEvent.MessageOffline(room(paired), "bob", message())))
                .contains(paired);
    }

    @Test
    void metadataWhoseJsonEscapesAnUnpairedSurrogateIsSentAsAStringThatStrictParsersRead() throws Exception {
        for (String metadata : List.of("{\"z\":\"\\ud800\"}", "{\"\\udc00\":1}", "[\"a\\udc00\\ud800b\"]",
                "\"\\uD83D\"")) {
            String body = sender(null).encode(new WebhookEvent.MessageOffline(room(metadata), "bob", message()));
            JsonNode tree = JSON.readTree(body);
            assertThat(tree.get("room_metadata").isTextual()).as(metadata).isTrue();
            assertThat(tree.get("room_metadata").textValue()).isEqualTo(metadata);
        }
        String paired = "{\"emoji\":\"\\ud83d\\ude00\"}";
        assertThat(sender(null).encode(new WebhookEvent.MessageOffline(room(paired), "bob", message())))
                .contains(",\"room_metadata\":" + paired + ",");
    }

    @Test
    void messageOfflineBodyOmitsAbsentMetadata() throws Exception {
        for (String metadata : new String[] {null, ""}) {
            String body = sender(null).encode(new WebhookEvent.MessageOffline(room(metadata), "bob", message()));
            JsonNode tree = JSON.readTree(body);
            assertThat(tree.has("room_metadata")).isFalse();
            assertThat(tree.get("message").get("seq").asLong()).isEqualTo(7);
        }
    }

    @Test
    void theBodiesOfOneMessageForManyRecipientsShareAllButTheRecipientAndAreEachExactlyItsOwnBody() {
        List<String> recipients = List.of("bob", "", "x", "quote\"back\\slash", "line\nfeed\ttab\u0001",
                "é漢字\uD83D\uDE00", "lone\uD800", "</script>", "x\"}");
        for (String metadata : Arrays.asList(null, "", "{\"tenant\":\"acme\"}", "not json", "x".repeat(65_536))) {
            Room room = room(metadata);
            List<WebhookBody> bodies = sender(null).encodeOffline(room, recipients, message());

            assertThat(bodies).hasSameSizeAs(recipients);
            for (int i = 0; i < recipients.size(); i++) {
                assertThat(bodies.get(i).text()).as("%s for %s", metadata, recipients.get(i))
                        .isEqualTo(sender(null).encode(new WebhookEvent.MessageOffline(room, recipients.get(i),
                                message())));
                assertThat(bodies.get(i).shared()).isSameAs(bodies.getFirst().shared());
                assertThat(bodies.get(i).own().length()).isLessThan(3 * recipients.get(i).length() + 8);
            }
        }
    }

    @Test
    void messageOfflineKeepsFractionalSecondsInUtc() throws Exception {
        Message msg = new Message("msg_2", "room_1", "alice", 8, "x", null,
                Instant.parse("2026-04-02T12:00:00.123456Z"), null, null);
        String body = sender(null).encode(new WebhookEvent.MessageOffline(room(null), "bob", msg));
        assertThat(JSON.readTree(body).at("/message/created_at").textValue()).isEqualTo("2026-04-02T12:00:00.123456Z");
    }

    @Test
    void roomHandoffBodyHasEveryField() throws Exception {
        var handoff = new Handoff(HandoffState.HUMAN, "agent_7", "refund", "bot_1", CREATED);
        String body = sender(null).encode(new WebhookEvent.RoomHandoff("room_1", handoff));

        assertThat(JSON.readTree(body)).isEqualTo(JSON.readTree("""
                {"type":"room.handoff","room_id":"room_1","state":"human","agent_id":"agent_7","reason":"refund",
                 "by":"bot_1","since":"2026-04-02T12:00:00Z"}
                """));
    }

    @Test
    void roomHandoffBodyOmitsAbsentOptionalFields() throws Exception {
        var handoff = new Handoff(HandoffState.BOT, null, null, "admin_1", CREATED);
        String body = sender(null).encode(new WebhookEvent.RoomHandoff("room_1", handoff));

        assertThat(JSON.readTree(body)).isEqualTo(JSON.readTree("""
                {"type":"room.handoff","room_id":"room_1","state":"bot","by":"admin_1","since":"2026-04-02T12:00:00Z"}
                """));
    }

    // ---- failures ----

    @Test
    void aNon2xxAnswerFailsWithoutLeakingTheSecretOrUrl() {
        server.respondWith(FakeWebhookServer.answer(500, "{\"error\":\"boom\"}"));
        assertThatThrownBy(() -> sender(SECRET).deliver("wh_1", "{}"))
                .isInstanceOf(WebhookException.class)
                .hasMessageContaining("500")
                .message().doesNotContain(SECRET).doesNotContain("/hooks/chat");
    }

    @Test
    void temporaryAndPermanentRedirectsAreFollowedWithTheSameSignedPost() throws Exception {
        String base = "http://127.0.0.1:" + server.url().getPort();
        server.respondWith(exchange -> {
            FakeWebhookServer.Responder next = switch (exchange.getRequestURI().getPath()) {
                case "/hooks/chat" -> FakeWebhookServer.redirect(307, base + "/hooks/chat/");
                case "/hooks/chat/" -> FakeWebhookServer.redirect(308, "/hooks/final");
                default -> FakeWebhookServer.answer(200, "{\"system_prompt\":\"followed\"}");
            };
            next.respond(exchange);
        });

        BotContextReply reply = sender(SECRET).botContext(contextRequest(), new Cancellation());

        assertThat(reply.systemPrompt()).isEqualTo("followed");
        var first = server.take();
        assertThat(first.path()).isEqualTo("/hooks/chat");
        for (String path : List.of("/hooks/chat/", "/hooks/final")) {
            var hop = server.take();
            assertThat(hop.path()).isEqualTo(path);
            assertThat(hop.method()).isEqualTo("POST");
            assertThat(hop.body()).isEqualTo(first.body());
            for (String header : List.of("webhook-id", "webhook-timestamp", "webhook-signature",
                    "X-ChatAPI-Signature", "Content-Type")) {
                assertThat(hop.header(header)).as(header).isNotNull().isEqualTo(first.header(header));
            }
        }
        server.respondWith(exchange -> (exchange.getRequestURI().getPath().equals("/hooks/chat")
                ? FakeWebhookServer.redirect(308, "/hooks/final")
                : FakeWebhookServer.answer(204, "")).respond(exchange));
        sender(SECRET).deliver("wh_moved", "{}");
        assertThat(server.take().path()).isEqualTo("/hooks/chat");
        assertThat(server.take().header("webhook-id")).isEqualTo("wh_moved");
    }

    @Test
    void redirectsThatWouldTurnThePostIntoAGetFail() throws Exception {
        for (int status : new int[] {301, 302, 303}) {
            server.respondWith(FakeWebhookServer.redirect(status, "/hooks/elsewhere"));
            assertThatThrownBy(() -> sender(SECRET).deliver("wh_1", "{}"))
                    .isInstanceOf(WebhookException.class).hasMessageContaining(String.valueOf(status));
            assertThat(server.take().path()).isEqualTo("/hooks/chat");
            assertThat(server.pending()).as("%d is not followed", status).isZero();
        }
    }

    @Test
    void moreThanThreeRedirectsALoopOrABadLocationFail() throws Exception {
        server.respondWith(exchange -> FakeWebhookServer.redirect(307, exchange.getRequestURI().getPath() + "x")
                .respond(exchange));
        assertThatThrownBy(() -> sender(SECRET).deliver("wh_1", "{}"))
                .isInstanceOf(WebhookException.class).hasMessageContaining("more than 3");
        for (int i = 0; i < 4; i++) {
            server.take();
        }
        assertThat(server.pending()).isZero();

        server.respondWith(FakeWebhookServer.redirect(308, "/hooks/chat"));
        assertThatThrownBy(() -> sender(SECRET).deliver("wh_2", "{}"))
                .isInstanceOf(WebhookException.class).hasMessageContaining("loop");

        for (String location : new String[] {"ftp://127.0.0.1/hook", "mailto:ops@example.com", "http:///x", null}) {
            server.respondWith(FakeWebhookServer.redirect(307, location));
            assertThatThrownBy(() -> sender(SECRET).deliver("wh_3", "{}")).as(location)
                    .isInstanceOf(WebhookException.class).hasMessageContaining("not an http or https URL")
                    .message().doesNotContain("127.0.0.1");
        }
    }

    @Test
    void aRedirectFromHttpsToPlainHttpFailsAndOneThatStaysOnHttpsOrStartsOnHttpIsFollowed() throws Exception {
        URI secure = URI.create("https://hooks.example.com/chat");
        assertThatThrownBy(() -> HttpWebhookSender.redirectTarget(secure, "http://hooks.example.com/chat/"))
                .isInstanceOf(WebhookException.class).hasMessageContaining("from https to plain http")
                .message().doesNotContain("example.com");
        assertThatThrownBy(() -> HttpWebhookSender.redirectTarget(secure, "HTTP://other.example.com/"))
                .isInstanceOf(WebhookException.class).hasMessageContaining("from https to plain http");
        assertThat(HttpWebhookSender.redirectTarget(secure, " /chat/ "))
                .isEqualTo(URI.create("https://hooks.example.com/chat/"));
        assertThat(HttpWebhookSender.redirectTarget(secure, "https://other.example.com/x"))
                .isEqualTo(URI.create("https://other.example.com/x"));
        assertThat(HttpWebhookSender.redirectTarget(URI.create("http://127.0.0.1:9/a"), "https://hooks.example.com/"))
                .isEqualTo(URI.create("https://hooks.example.com/"));
    }

    @Test
    void aReceiverThatNeverAnswersTimesOut() {
        server.respondWith(server.hang());
        var sender = new HttpWebhookSender(new WebhookSettings(server.url(), SECRET, Duration.ofMillis(300)));
        assertThatThrownBy(() -> sender.deliver("wh_1", "{}"))
                .isInstanceOf(WebhookException.class)
                .hasMessageContaining("did not answer");
    }

    @Test
    void aReceiverThatStallsInTheBodyTimesOut() {
        server.respondWith(server.stallBody());
        var sender = new HttpWebhookSender(new WebhookSettings(server.url(), SECRET, Duration.ofMillis(300)));
        assertThatThrownBy(() -> sender.botContext(contextRequest(), new Cancellation()))
                .isInstanceOf(WebhookException.class)
                .hasMessageContaining("did not answer");
    }

    @Test
    void aCancelledBotContextCallEndsAtOnce() throws Exception {
        server.respondWith(server.hang());
        var sender = new HttpWebhookSender(new WebhookSettings(server.url(), SECRET, Duration.ofSeconds(10)));
        Cancellation cancellation = new Cancellation();
        var call = CompletableFuture.runAsync(() -> {
            try {
                sender.botContext(contextRequest(), cancellation);
            } catch (WebhookException e) {
                throw new CompletionException(e);
            }
        });
        server.take();

        long start = System.nanoTime();
        cancellation.cancel();
        assertThatThrownBy(() -> call.get(2, TimeUnit.SECONDS))
                .hasCauseInstanceOf(WebhookException.class).cause().hasMessageContaining("cancelled");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void anUnreachableReceiverFails() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var sender = new HttpWebhookSender(new WebhookSettings(
                URI.create("http://127.0.0.1:" + closedPort + "/x"), SECRET, Duration.ofSeconds(2)));
        assertThatThrownBy(() -> sender.deliver("wh_1", "{}"))
                .isInstanceOf(WebhookException.class)
                .message().doesNotContain(SECRET);
    }

    @Test
    void aBotContextAnswerOverOneMebibyteIsRefused() {
        int tooLarge = HttpWebhookSender.MAX_RESPONSE_BYTES + 1;
        for (boolean chunked : new boolean[] {false, true}) {
            server.respondWith(FakeWebhookServer.bytes(tooLarge, chunked));
            assertThatThrownBy(() -> sender(SECRET).botContext(contextRequest(), new Cancellation()))
                    .as("chunked=%s", chunked)
                    .isInstanceOf(WebhookException.class)
                    .hasMessageContaining("larger than");
        }
    }

    @Test
    void anEventIsDeliveredByA2xxWhateverTheSizeOfItsBody() throws Exception {
        for (int size : new int[] {HttpWebhookSender.MAX_RESPONSE_BYTES, 3 * HttpWebhookSender.MAX_RESPONSE_BYTES}) {
            server.respondWith(FakeWebhookServer.bytes(size, true));
            sender(SECRET).deliver("wh_" + size, "{}");
            assertThat(server.take().header("webhook-id")).isEqualTo("wh_" + size);
        }
    }

    // ---- bot.context ----

    @Test
    void botContextPostsTheDocumentedBodySignedWithAFreshId() throws Exception {
        server.respondWith(FakeWebhookServer.answer(200, "{\"system_prompt\":\"Be brief.\"}"));
        var sender = sender(SECRET);

        BotContextReply reply = sender.botContext(contextRequest(), new Cancellation());
        sender.botContext(contextRequest(), new Cancellation());

        assertThat(reply).isEqualTo(new BotContextReply("Be brief.", false, false, null));
        var first = server.take();
        var second = server.take();
        assertThat(JSON.readTree(first.body())).isEqualTo(JSON.readTree("""
                {"type":"bot.context","bot_id":"bot_1","room_id":"room_1",
                 "message":{"message_id":"msg_1","sender_id":"alice","content":"hi \\"there\\"",
                            "created_at":"2026-04-02T12:00:00Z"},
                 "history":[{"role":"user","content":"hello"},{"role":"assistant","content":"hi, how can I help?"}]}
                """));
        String id = first.header("webhook-id");
        assertThat(id).startsWith("wh_").isNotEqualTo(second.header("webhook-id"));
        assertThat(first.header("X-ChatAPI-Signature"))
                .isEqualTo("sha256=" + HexFormat.of().formatHex(hmac(SECRET.getBytes(StandardCharsets.UTF_8), first.body())));
        byte[] signed = (id + "." + first.header("webhook-timestamp") + "." + first.text()).getBytes(StandardCharsets.UTF_8);
        assertThat(first.header("webhook-signature"))
                .isEqualTo("v1," + Base64.getEncoder().encodeToString(hmac(SECRET.getBytes(StandardCharsets.UTF_8), signed)));
    }

    @Test
    void botContextReadsEveryDocumentedAnswer() throws Exception {
        assertReply("{}", new BotContextReply(null, false, false, null));
        assertReply("{\"system_prompt\":\"\"}", new BotContextReply(null, false, false, null));
        assertReply("{\"system_prompt\":null,\"extra\":[1]}", new BotContextReply(null, false, false, null));
        assertReply("{\"system_prompt\":\"You are Ada.\"}", new BotContextReply("You are Ada.", false, false, null));
        assertReply("{\"skip\":false,\"system_prompt\":\"p\"}", new BotContextReply("p", false, false, null));
        assertReply("{\"skip\":true}", new BotContextReply(null, true, false, null));
        assertReply("{\"skip\":true,\"handoff\":{\"reason\":\"asked for a human\"}}",
                new BotContextReply(null, true, true, "asked for a human"));
        assertReply("{\"skip\":true,\"handoff\":{}}", new BotContextReply(null, true, true, null));
        assertReply("{\"handoff\":{\"reason\":\"ignored without skip\"}}", new BotContextReply(null, false, false, null));

    }

    @Test
    void botContextIgnoresMistypedFieldsOfAJsonObject() throws Exception {
        assertReply("{\"system_prompt\":\"P\",\"handoff\":\"later\",\"foo\":1}",
                new BotContextReply("P", false, false, null));
        assertReply("{\"skip\":\"true\",\"system_prompt\":\"P\"}", new BotContextReply("P", false, false, null));
        assertReply("{\"skip\":1}", new BotContextReply(null, false, false, null));
        assertReply("{\"system_prompt\":42}", new BotContextReply(null, false, false, null));
        assertReply("{\"system_prompt\":{\"text\":\"P\"}}", new BotContextReply(null, false, false, null));
        assertReply("{\"skip\":true,\"handoff\":\"human\"}", new BotContextReply(null, true, false, null));
        assertReply("{\"skip\":true,\"handoff\":[1]}", new BotContextReply(null, true, false, null));
        assertReply("{\"skip\":true,\"handoff\":{\"reason\":7}}", new BotContextReply(null, true, true, null));
    }

    @Test
    void botContextRefusesMalformedAnswers() {
        for (String body : List.of("", "not json", "[1,2]", "\"text\"", "42", "null", "{} {}", "{\"skip\":true")) {
            server.respondWith(FakeWebhookServer.answer(200, body));
            assertThatThrownBy(() -> sender(SECRET).botContext(contextRequest(), new Cancellation()))
                    .as(body)
                    .isInstanceOf(WebhookException.class);
        }
    }

    @Test
    void botContextFailsOnAServerError() {
        server.respondWith(FakeWebhookServer.answer(500, "{\"system_prompt\":\"ignored\"}"));
        assertThatThrownBy(() -> sender(SECRET).botContext(contextRequest(), new Cancellation()))
                .isInstanceOf(WebhookException.class)
                .hasMessageContaining("500");
    }

    private void assertReply(String body, BotContextReply expected) throws Exception {
        server.respondWith(FakeWebhookServer.answer(200, body));
        assertThat(sender(SECRET).botContext(contextRequest(), new Cancellation())).as(body).isEqualTo(expected);
    }

    private static BotContextRequest contextRequest() {
        return new BotContextRequest("bot_1", "room_1", message(),
                List.of(new ChatTurn("user", "hello"), new ChatTurn("assistant", "hi, how can I help?")));
    }

    private static Room room(String metadata) {
        return new Room("room_1", RoomType.GROUP, "Support", metadata, 7, CREATED, Handoff.initial(CREATED));
    }

    private static Message message() {
        return new Message("msg_1", "room_1", "alice", 7, "hi \"there\"", null, CREATED, null, null);
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
