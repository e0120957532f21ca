package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.RoomType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RestApiTest {
    private static final String ALICE = Tokens.user("alice");
    private static final String BOB = Tokens.user("bob");
    private static final String ADMIN = Tokens.admin("ops");
    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(s -> s.maxBodyBytes(4096).origins("https://app.example"));
        http = new Http(server.port());
        server.chat.room("room_ab", RoomType.GROUP, "alice", "bob");
        server.chat.room("room_c", RoomType.GROUP, "carol", "dan");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void reset() {
        server.chat.rateLimitedFor = null;
        server.chat.sendFailure = null;
        server.chat.writable = true;
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = Http.json(response);
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotEmpty();
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    }

    @Test
    void everyEndpointButHealthAndMetricsNeedsABearerToken() {
        HttpResponse<String> missing = http.get("/rooms", null);
        assertError(missing, 401, "unauthorized");
        assertThat(Http.json(missing).get("message").asText()).isEqualTo("Missing or invalid Authorization header");
        assertThat(Http.json(http.get("/rooms", null, "Authorization", "Basic abc")).get("message").asText())
                .isEqualTo("Missing or invalid Authorization header");
        HttpResponse<String> invalid = http.get("/rooms", "not-a-token");
        assertError(invalid, 401, "unauthorized");
        assertThat(Http.json(invalid).get("message").asText()).isEqualTo("Invalid token");
        assertError(http.get("/rooms", Tokens.none("alice")), 401, "unauthorized");
        assertError(http.get("/rooms", Tokens.expiringIn("alice", Duration.ofMinutes(-1))), 401, "unauthorized");
        assertError(http.get("/rooms", Tokens.user("system")), 401, "unauthorized");
        assertError(http.post("/rooms", null, "{}"), 401, "unauthorized");
        assertThat(http.get("/health", null).statusCode()).isEqualTo(200);
        assertThat(http.get("/metrics", null).statusCode()).isEqualTo(200);
        assertThat(http.get("/metrics/prometheus", null).statusCode()).isEqualTo(200);
    }

    @Test
    void healthReportsAWritableDatabaseOr503() {
        JsonNode ok = Http.json(http.get("/health", null));
        assertThat(ok.get("status").asText()).isEqualTo("ok");
        assertThat(ok.get("db_writable").asBoolean()).isTrue();
        assertThat(ok.get("uptime").asText()).matches("(\\d+h)?(\\d+m)?\\d+s");
        server.chat.writable = false;
        HttpResponse<String> down = http.get("/health", null);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(Http.json(down).get("db_writable").asBoolean()).isFalse();
        assertThat(Http.json(down).get("status").asText()).isEqualTo("unavailable");
        assertThat(Http.json(down).get("error").asText()).isEqualTo("internal_error");
        assertThat(Http.json(down).get("message").asText()).isEqualTo("the database cannot take a write");
    }

    @Test
    void metricsComeAsJsonOrPrometheusText() {
        JsonNode json = Http.json(http.get("/metrics", null));
        for (String field : List.of("active_connections", "messages_sent", "broadcast_drops", "delivery_attempts",
                "delivery_failures", "uptime_seconds", "slow_consumer_closes", "webhook_failures")) {
            assertThat(json.get(field).isIntegralNumber()).as(field).isTrue();
        }
        HttpResponse<String> text = http.get("/metrics", null, "Accept", "text/plain");
        assertThat(text.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(text.body()).contains("# TYPE chatapi_active_connections gauge", "chatapi_messages_sent_total 0",
                "# HELP chatapi_broadcast_drops_total");
        assertThat(http.get("/metrics/prometheus", null).body()).contains("chatapi_uptime_seconds ");
        for (String accept : List.of("TEXT/PLAIN", "text/plain;q=0.9, application/json;q=0.5", "text/*",
                "application/json;q=0.1, text/plain")) {
            assertThat(http.get("/metrics", null, "Accept", accept).headers().firstValue("Content-Type").orElseThrow())
                    .as(accept).startsWith("text/plain");
        }
        for (String accept : List.of("application/json, text/plain, */*", "application/json;q=1.0, text/plain;q=0.1",
                "*/*", "text/plain, application/json", "text/plain;q=0.5, */*;q=0.5", "text/html",
                "text/plain;q=0", "garbage", "text;q=1", "*/*;q=abc", "application/json;q=abc",
                "text/plain;;q=0.1", "text/plain;q=abc, application/json")) {
            HttpResponse<String> answer = http.get("/metrics", null, "Accept", accept);
            assertThat(answer.statusCode()).as(accept).isEqualTo(200);
            assertThat(answer.headers().firstValue("Content-Type").orElseThrow()).as(accept)
                    .startsWith("application/json");
        }
    }

    @Test
    void roomsHaveTheirShapeAndMembersTheirs() {
        HttpResponse<String> created = http.post("/rooms", ALICE,
                "{\"type\":\"group\",\"members\":[\"alice\",\"erin\"],\"name\":\"Team\",\"metadata\":{\"topic\":\"x\"}}");
        assertThat(created.statusCode()).isEqualTo(200);
        JsonNode room = Http.json(created);
        assertThat(room.get("room_id").asText()).startsWith("room_");
        assertThat(room.get("type").asText()).isEqualTo("group");
        assertThat(room.get("name").asText()).isEqualTo("Team");
        assertThat(room.get("metadata").asText()).isEqualTo("{\"topic\":\"x\"}");
        assertThat(room.get("last_seq").asLong()).isZero();
        assertThat(Instant.parse(room.get("created_at").asText())).isNotNull();
        assertThat(room.get("created_at").asText()).endsWith("Z");
        assertThat(room.at("/handoff/state").asText()).isEqualTo("bot");
        assertThat(room.at("/handoff/since").asText()).endsWith("Z");
        String id = room.get("room_id").asText();

        JsonNode plain = Http.json(http.post("/rooms", ALICE, "{\"type\":\"dm\",\"members\":[\"alice\",\"bob\"]}"));
        assertThat(plain.has("name")).isFalse();
        assertThat(plain.has("metadata")).isFalse();

        JsonNode list = Http.json(http.get("/rooms", ALICE));
        assertThat(list.get("rooms").findValuesAsText("room_id")).contains(id, "room_ab");
        assertThat(Http.json(http.get("/rooms", Tokens.user("nobody"))).get("rooms").isEmpty()).isTrue();

        JsonNode members = Http.json(http.get("/rooms/" + id + "/members", ALICE)).get("members");
        assertThat(members).hasSize(2);
        assertThat(members.get(0).get("chatroom_id").asText()).isEqualTo(id);
        assertThat(members.get(0).get("user_id").asText()).isEqualTo("alice");
        assertThat(members.get(0).get("role").asText()).isEqualTo("member");
        assertThat(members.get(0).get("joined_at").asText()).endsWith("Z");

        HttpResponse<String> patched = http.send("PATCH", "/rooms/" + id, ALICE, "{\"name\":\"Renamed\"}");
        assertThat(Http.json(patched).get("name").asText()).isEqualTo("Renamed");
        assertThat(Http.json(patched).get("metadata").asText()).isEqualTo("{\"topic\":\"x\"}");
    }

    @Test
    void membershipAnswers204And409() {
        assertThat(http.post("/rooms/room_ab/members", ALICE, "{\"user_id\":\"zoe\"}").statusCode()).isEqualTo(204);
        assertError(http.post("/rooms/room_ab/members", ALICE, "{\"user_id\":\"zoe\"}"), 409, "conflict");
        assertThat(http.send("DELETE", "/rooms/room_ab/members/zoe", ADMIN, null).statusCode()).isEqualTo(204);
        assertError(http.post("/rooms/room_ab/members", ALICE, "{}"), 400, "invalid_request");
    }

    @Test
    void aMemberWhoseIdHoldsSlashesOrEscapesIsRemovedByItsEncodedId() {
        for (String user : List.of("x/y", "a/b/c", "p%2Fq", "sp ace", "plus+sign", "/lead")) {
            assertThat(http.post("/rooms/room_ab/members", ALICE, "{\"user_id\":\"" + user + "\"}").statusCode())
                    .as(user).isEqualTo(204);
            String encoded = java.net.URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20");
            assertThat(http.send("DELETE", "/rooms/room_ab/members/" + encoded, ADMIN, null).statusCode())
                    .as(user).isEqualTo(204);
            assertError(http.send("DELETE", "/rooms/room_ab/members/" + encoded, ADMIN, null), 404, "not_found");
        }
        assertThat(http.post("/rooms/room_ab/members", ALICE, "{\"user_id\":\"u/v\"}").statusCode()).isEqualTo(204);
        assertThat(http.send("DELETE", "/rooms/room_ab/members/u/v", ADMIN, null).statusCode()).isEqualTo(204);
        assertError(http.send("PUT", "/rooms/room_ab/members/u/v", ADMIN, "{}"), 405, "invalid_request");
    }

    @Test
    void twoIdempotencyKeyHeadersAreRefusedRatherThanJoinedIntoOneKey() {
        for (String second : List.of("k3", "k4")) {
            HttpResponse<String> twice = http.post("/rooms/room_ab/messages", ALICE, "{\"content\":\"two keys\"}",
                    "Idempotency-Key", "k4", "Idempotency-Key", second);
            assertError(twice, 400, "invalid_request");
            assertThat(Http.json(twice).get("message").asText()).contains("Idempotency-Key");
        }
        assertThat(Http.json(http.get("/rooms/room_ab/messages?limit=100", ALICE)).get("messages")
                .findValuesAsText("content")).doesNotContain("two keys");
        JsonNode commaInOne = Http.json(http.post("/rooms/room_ab/messages", ALICE, "{\"content\":\"one key\"}",
                "Idempotency-Key", "k5,k6"));
        assertThat(commaInOne.get("client_msg_id").asText()).as("one header is taken as sent").isEqualTo("k5,k6");
    }

    @Test
    void anIdHoldingASemicolonIsTakenWholeNeverCutThere() {
        for (String user : List.of("semi", "semi;colon")) {
            assertThat(http.post("/rooms/room_ab/members", ALICE, "{\"user_id\":\"" + user + "\"}").statusCode())
                    .as(user).isEqualTo(204);
        }
        assertThat(http.send("DELETE", "/rooms/room_ab/members/semi;colon", ADMIN, null).statusCode()).isEqualTo(204);
        assertThat(Http.json(http.get("/rooms/room_ab/members", ALICE)).get("members").findValuesAsText("user_id"))
                .contains("semi").doesNotContain("semi;colon");
        assertError(http.send("DELETE", "/rooms/room_ab/members/semi;x=1", ADMIN, null), 404, "not_found");
        assertThat(http.send("DELETE", "/rooms/room_ab/members/semi", ADMIN, null).statusCode()).isEqualTo(204);

        assertError(http.get("/rooms/room_ab;x=1", ALICE), 404, "not_found");
        assertError(http.get("/rooms/room_ab;x=1/members", ALICE), 404, "not_found");
        assertError(http.get("/rooms/room_ab;x=1/messages", ALICE), 404, "not_found");
        String message = Http.json(http.post("/rooms/room_ab/messages", ALICE, "{\"content\":\"hi\"}"))
                .get("message_id").asText();
        assertError(http.send("PUT", "/rooms/room_ab/messages/" + message + ";x", ALICE, "{\"content\":\"edited\"}"),
                404, "not_found");
        String bot = Http.json(http.post("/bots", ADMIN, "{\"name\":\"Semi\",\"llm_base_url\":"
                + "\"http://127.0.0.1:1/v1\",\"llm_api_key_env\":\"OPENAI_API_KEY\",\"model\":\"gpt\"}"))
                .get("bot_id").asText();
        assertError(http.get("/bots/" + bot + ";x", ADMIN), 404, "not_found");
        assertError(http.send("DELETE", "/bots/" + bot + ";x", ADMIN, null), 404, "not_found");
        assertThat(http.send("DELETE", "/bots/" + bot, ADMIN, null).statusCode()).isEqualTo(204);
    }

    @Test
    void aPathIdThatIsNotUtf8OncePercentDecodedIs400() {
        assertThat(http.post("/rooms/room_ab/members", ALICE, "{\"user_id\":\"\uFFFD\"}").statusCode()).isEqualTo(204);
        for (String bad : List.of("%FF", "%FE", "%C3", "%ED%A0%80")) {
            assertError(http.send("DELETE", "/rooms/room_ab/members/" + bad, ADMIN, null), 400, "invalid_request");
            assertError(http.get("/rooms/room_ab" + bad, ALICE), 400, "invalid_request");
        }
        assertThat(http.raw(("DELETE /rooms/room_ab/members/\u00ff HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + ADMIN + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)))
                .as("a raw byte that is not UTF-8").startsWith("HTTP/1.1 400 ");
        assertThat(Http.json(http.get("/rooms/room_ab/members", ALICE)).get("members").findValuesAsText("user_id"))
                .contains("\uFFFD");
        assertThat(http.send("DELETE", "/rooms/room_ab/members/%EF%BF%BD", ADMIN, null).statusCode()).isEqualTo(204);
    }

    @Test
    void aPathWithUtf8BytesSentUnencodedIsRefusedWithAHintToPercentEncodeThem() {
        assertThat(http.post("/rooms/room_ab/members", ALICE, "{\"user_id\":\"émile\"}").statusCode()).isEqualTo(204);
        String raw = http.raw(("DELETE /rooms/room_ab/members/émile HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + ADMIN + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        assertThat(raw).startsWith("HTTP/1.1 400 ").contains("\"invalid_request\"", "percent-encode");
        assertThat(http.send("DELETE", "/rooms/room_ab/members/%C3%A9mile", ADMIN, null).statusCode()).isEqualTo(204);
    }

    /** A complete request for a message {@code content} to room_ab, as a client would send it. */
    private static String messageRequest(String content) {
        String body = "{\"content\":\"" + content + "\"}";
        return "POST /rooms/room_ab/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALICE
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static long statusLines(String answers) {
        return java.util.regex.Pattern.compile("HTTP/1\\.1 \\d{3} ").matcher(answers).results().count();
    }

    private static List<String> contents() {
        return Http.json(http.get("/rooms/room_ab/messages?limit=100", ALICE)).get("messages")
                .findValuesAsText("content");
    }

    @Test
    void aBodyLeftUnreadAfterExpect100ContinueIsNeverReadAsARequestOfItsOwn() {
        for (String head : List.of("POST /health HTTP/1.1\r\nHost: x\r\n",
                "POST /rooms/room_ab/messages HTTP/1.1\r\nHost: x\r\n",
                "GET /rooms/room_ab HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + BOB + "\r\n")) {
            String hidden = messageRequest("smuggled after expect");
            String answers = http.rawUntilClosed((head + "Expect: 100-continue\r\nContent-Length: " + hidden.length()
                    + "\r\n\r\n" + hidden).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(3));
            assertThat(statusLines(answers)).as(answers).isEqualTo(1);
            assertThat(answers).as(head).containsIgnoringCase("connection: close").doesNotContain("[still open]");
        }
        assertThat(contents()).doesNotContain("smuggled after expect");
        String asked = http.rawUntilClosed(("POST /health HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                + "Content-Length: 2\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(1));
        assertThat(statusLines(asked)).as("no body sent: answered all the same").isEqualTo(1);
        assertThat(asked).doesNotContain("[still open]");
    }

    @Test
    void aChunkedBodyThatCannotBeReadIsRefusedAndItsConnectionClosed() {
        String data = "0\r\n\r\n" + messageRequest("smuggled in a chunk");
        String head = "POST /rooms/room_ab/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALICE
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (String sizeLine : List.of(Integer.toHexString(data.length()) + ";ext=1",
                Integer.toHexString(data.length()) + "\t", "zz")) {
            String answers = http.rawUntilClosed((head + sizeLine + "\r\n" + data + "\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(3));
            assertThat(statusLines(answers)).as(answers).isEqualTo(1);
            assertThat(answers).as(sizeLine).startsWith("HTTP/1.1 400 ").contains("\"invalid_request\"")
                    .containsIgnoringCase("connection: close").doesNotContain("[still open]");
        }
        assertThat(contents()).doesNotContain("smuggled in a chunk");
    }

    @Test
    void connectionCloseInAnyLetterCaseOrPlaceOfItsListClosesTheConnection() {
        for (String value : List.of("Close", "CLOSE", "keep-alive, close", "close, TE")) {
            String hidden = messageRequest("smuggled past " + value);
            String answers = http.rawUntilClosed(("POST /rooms/room_ab/messages HTTP/1.1\r\nHost: x\r\nConnection: "
                    + value + "\r\nContent-Length: " + hidden.length() + "\r\n\r\n" + hidden
                    + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(3));
            assertThat(statusLines(answers)).as(answers).isEqualTo(1);
            assertThat(answers).as(value).startsWith("HTTP/1.1 401 ").doesNotContain("[still open]");
        }
        assertThat(contents()).noneMatch(c -> c.startsWith("smuggled past"));
    }

    @Test
    void aChunkSizeThatIsNoHexNumberIsAnsweredAtOnceAndItsConnectionClosed() {
        String rest = "zz\r\nabc\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        for (String head : List.of("POST /rooms/room_ab/messages HTTP/1.1\r\nAuthorization: Bearer " + ALICE + "\r\n",
                "GET /health HTTP/1.1\r\n")) {
            long start = System.nanoTime();
            String answers = http.rawUntilClosed((head + "Host: x\r\nTransfer-Encoding: chunked\r\n\r\n" + rest)
                    .getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5));
            assertThat(statusLines(answers)).as(answers).isEqualTo(1);
            assertThat(answers).as(head).containsIgnoringCase("connection: close").doesNotContain("[still open]");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(head).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void aChunkedBodyAnsweredWithoutBeingReadIsDroppedAndItsConnectionKept() {
        StringBuilder chunks = new StringBuilder();
        String chunk = "x".repeat(16_384);
        for (int i = 0; i < 90; i++) { // 1.4 MiB, refused (401) before any route would read it
            chunks.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        String answers = http.rawUntilClosed(("POST /rooms/room_ab/messages HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer bad\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n"
                + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII),
                Duration.ofSeconds(2));
        assertThat(statusLines(answers)).as(answers).isEqualTo(2);
        assertThat(answers).startsWith("HTTP/1.1 401 ").contains("HTTP/1.1 200 ").endsWith("[still open]");
    }

    @Test
    void aTransferCodingOtherThanChunkedAloneIsTheClientsError() {
        String answer = http.raw(("POST /rooms/room_ab/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALICE
                + "\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(answer).startsWith("HTTP/1.1 501 ").contains("\"invalid_request\"", "Transfer-Encoding")
                .doesNotContain("internal");
    }

    @Test
    void aRequestTargetInAbsoluteFormNamesTheSameIds() {
        assertThat(http.post("/rooms/room_ab/members", ALICE, "{\"user_id\":\"absolute\"}").statusCode())
                .isEqualTo(204);
        String room = http.raw(("GET http://x/rooms/room_ab HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALICE
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(room).startsWith("HTTP/1.1 200 ").contains("\"room_id\":\"room_ab\"");
        String removed = http.raw(("DELETE HTTP://x:80/rooms/room_ab/members/absolute HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: Bearer " + ADMIN + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(removed).startsWith("HTTP/1.1 204 ");
    }

    @Test
    void aPathWithADotOrEmptySegmentNamesNoId() {
        assertThat(http.post("/rooms/room_ab/members", ALICE, "{\"user_id\":\"dot\"}").statusCode()).isEqualTo(204);
        for (String path : List.of("/rooms/room_c/../room_ab/members/dot", "/rooms/room_ab/members/x/../dot",
                "/rooms/room_ab/members/x//dot")) {
            String answer = http.raw(("DELETE " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ADMIN
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(answer).as(path).startsWith("HTTP/1.1 404 ");
        }
        for (String path : List.of("/rooms/./messages", "/rooms//messages", "/rooms/./members", "/rooms/./handoff")) {
            String answer = http.raw(("POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ADMIN
                    + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(answer).as(path).startsWith("HTTP/1.1 404 ").endsWith("\"not_found\",\"message\":\"not found\"}");
        }
        assertThat(Http.json(http.get("/rooms/room_ab/members", ALICE)).get("members").findValuesAsText("user_id"))
                .contains("dot");
        assertThat(http.send("DELETE", "/rooms/room_ab/members/dot", ADMIN, null).statusCode()).isEqualTo(204);
    }

    @Test
    void everyAnswerToHeadHasNoBodySoTheNextAnswerOnTheConnectionStaysFramed() throws Exception {
        String alice = "Authorization: Bearer " + ALICE + "\r\n";
        String[][] cases = {{"/rooms", alice, "405"}, {"/nope", alice, "404"}, {"/rooms", "", "401"},
                {"/rooms", "Authorization: Bearer nope\r\n", "401"}, {"/metrics", "", "405"},
                {"/ws", alice, "400"}, {"/ws", "", "401"}, {"/health", "", "200"}};
        for (String[] c : cases) {
            String[] parts = headThenGetHealth("HEAD " + c[0] + " HTTP/1.1\r\nHost: x\r\n" + c[1] + "\r\n");
            String what = "HEAD " + c[0] + (c[1].isEmpty() ? "" : " with a token");
            assertThat(parts).as(what).hasSize(3);
            assertThat(parts[0]).as(what).startsWith("HTTP/1.1 " + c[2] + " ")
                    .contains("Content-Type: application/json").containsPattern("Content-Length: [1-9]\\d*");
            assertThat(parts[1]).as(what + ": no body after the HEAD answer").startsWith("HTTP/1.1 200 ");
            assertThat(parts[2]).as(what).startsWith("{\"status\":\"ok\"");
        }
        // a request the web server refuses before any route runs: answered, then the connection is closed
        try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("HEAD /rooms%zz HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                    .startsWith("HTTP/1.1 400 ").contains("Connection: close").endsWith("\r\n\r\n");
        }
    }

    /** The head of the answer to this HEAD request, then the head and body of a GET /health on the same connection. */
    private static String[] headThenGetHealth(String head) throws java.io.IOException {
        try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((head + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            var in = socket.getInputStream();
            var read = new StringBuilder();
            byte[] buffer = new byte[4096];
            // both answers, up to the end of the GET's JSON body (the connection stays open: keep-alive)
            while (!read.toString().matches("(?s).*\r\n\r\n.*\r\n\r\n\\{.*}")) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            return read.toString().split("\r\n\r\n", -1);
        }
    }

    @Test
    void aMemberWhoseIdHoldsALineTerminatorIsRemovedByItsEncodedId() {
        for (String user : List.of("v\nw", "v\rw", "v\u0085w", "v\u2028w", "v\u2029w")) {
            String name = Integer.toHexString(user.charAt(1));
            assertThat(http.post("/rooms/room_ab/members", ALICE, WireJson.text(WireJson.object().put("user_id", user)))
                    .statusCode()).as(name).isEqualTo(204);
            String encoded = java.net.URLEncoder.encode(user, StandardCharsets.UTF_8);
            assertThat(http.send("DELETE", "/rooms/room_ab/members/" + encoded, ADMIN, null).statusCode())
                    .as(name).isEqualTo(204);
            assertError(http.send("DELETE", "/rooms/room_ab/members/" + encoded, ADMIN, null), 404, "not_found");
            assertError(http.send("PUT", "/rooms/room_ab/members/" + encoded, ADMIN, "{}"), 405, "invalid_request");
        }
    }

    @Test
    void badRequestsAre400AndNameTheField() {
        assertError(http.post("/rooms", ALICE, "{not json"), 400, "invalid_request");
        assertError(http.post("/rooms", ALICE, "[]"), 400, "invalid_request");
        assertError(http.post("/rooms", ALICE, ""), 400, "invalid_request");
        HttpResponse<String> noType = http.post("/rooms", ALICE, "{\"members\":[\"alice\",\"bob\"]}");
        assertError(noType, 400, "invalid_request");
        assertThat(Http.json(noType).get("message").asText()).contains("type");
        HttpResponse<String> badMembers = http.post("/rooms", ALICE, "{\"type\":\"group\",\"members\":\"alice\"}");
        assertThat(Http.json(badMembers).get("message").asText()).contains("members");
        HttpResponse<String> badSeq = http.post("/acks", ALICE, "{\"room_id\":\"room_ab\",\"seq\":\"3\"}");
        assertError(badSeq, 400, "invalid_request");
        assertThat(Http.json(badSeq).get("message").asText()).contains("seq");
        HttpResponse<String> bot = http.post("/bots", ADMIN, "{\"name\":\"b\",\"llm_base_url\":\"http://x\",\"model\":\"m\"}");
        assertThat(Http.json(bot).get("message").asText()).contains("llm_api_key_env");
    }

    @Test
    void accessErrorsAre403And404AndUnknownPathsAndMethodsToo() {
        assertError(http.get("/rooms/room_c", ALICE), 403, "forbidden");
        assertError(http.get("/rooms/nowhere", ALICE), 404, "not_found");
        assertError(http.get("/no/such/path", ALICE), 404, "not_found");
        HttpResponse<String> wrongMethod = http.send("DELETE", "/rooms", ALICE, null);
        assertError(wrongMethod, 405, "invalid_request");
        assertThat(wrongMethod.headers().firstValue("Allow")).contains("GET, POST");
        assertThat(http.send("POST", "/rooms/room_ab/messages/msg_1", ALICE, "{}").headers().firstValue("Allow"))
                .contains("PUT, DELETE");
        assertThat(http.send("POST", "/health", null, "{}").headers().firstValue("Allow")).contains("GET, HEAD");
        assertThat(http.get("/no/such/path", ALICE).headers().firstValue("Allow")).isEmpty();
        assertError(http.get("/bots", ALICE), 403, "forbidden");
        assertError(http.get("/admin/dead-letters", ALICE), 403, "forbidden");
    }

    @Test
    void historyClampsTheLimitAndReadsABadAfterSeqAsZero() {
        for (int i = 0; i < 3; i++) {
            server.chat.stored("room_ab", "bob", "m" + i);
        }
        String[][] cases = {{"", "50"}, {"?limit=abc", "50"}, {"?limit=0", "50"}, {"?limit=-4", "50"},
                {"?limit=500", "100"}, {"?limit=7", "7"}, {"?limit=99999999999999999999", "100"},
                {"?limit=" + "9".repeat(40), "100"}, {"?limit=-99999999999999999999", "50"},
                {"?limit=%202", "50"}, {"?limit=+2", "50"}, {"?limit=%2B7", "7"}};
        for (String[] c : cases) {
            assertThat(http.get("/rooms/room_ab/messages" + c[0], ALICE).statusCode()).isEqualTo(200);
            assertThat(server.chat.lastHistoryLimit).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
        }
        JsonNode page = Http.json(http.get("/rooms/room_ab/messages?after_seq=1&limit=1", ALICE)).get("messages");
        assertThat(page).hasSize(1);
        JsonNode m = page.get(0);
        assertThat(m.get("seq").asLong()).isEqualTo(2);
        assertThat(m.get("chatroom_id").asText()).isEqualTo("room_ab");
        assertThat(m.has("meta")).isFalse();
        assertThat(m.has("edited_at")).isFalse();
        assertThat(Http.json(http.get("/rooms/room_ab/messages?after_seq=999", ALICE)).get("messages").isEmpty())
                .isTrue();
        int stored = Http.json(http.get("/rooms/room_ab/messages?after_seq=0&limit=100", ALICE)).get("messages").size();
        for (String unparseable : List.of("abc", "-1", "1.0", "+1", "%20%31", "", "-99999999999999999999", "%25zz")) {
            HttpResponse<String> all = http.get("/rooms/room_ab/messages?limit=100&after_seq=" + unparseable, ALICE);
            assertThat(all.statusCode()).as(unparseable).isEqualTo(200);
            assertThat(Http.json(all).get("messages")).as(unparseable).hasSize(stored);
        }
        assertThat(Http.json(http.get("/rooms/room_ab/messages?limit=100&after_seq=%2B1", ALICE)).get("messages"))
                .as("a sign, as Go's Atoi reads it").hasSize(stored - 1);
        HttpResponse<String> past = http.get("/rooms/room_ab/messages?after_seq=99999999999999999999", ALICE);
        assertThat(past.statusCode()).isEqualTo(200);
        assertThat(Http.json(past).get("messages").isEmpty()).isTrue();
        assertThat(Http.json(http.get("/rooms/room_ab/messages?limit=100&after_seq%5B%5D=1", ALICE)).get("messages"))
                .as("another parameter's name").hasSize(stored);
        // a query the HTTP layer cannot parse never reaches the route: a 400, as for any malformed request
        for (String query : List.of("after_seq=%zz", "after_seq[]=1", "limit=%2")) {
            String answer = http.raw(("GET /rooms/room_ab/messages?" + query + " HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + ALICE + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(answer).as(query).startsWith("HTTP/1.1 400 ")
                    .endsWith("{\"error\":\"invalid_request\",\"message\":\"malformed HTTP request\"}");
        }
    }

    @Test
    void metaSentAsAnObjectIsStoredWithEveryNumberAsWritten() {
        HttpResponse<String> sent = http.post("/rooms/room_ab/messages", ALICE, "{\"content\":\"n\",\"meta\":"
                + "{\"big\":12345678901234567890123,\"f\":1.10,\"e\":1E2,\"huge\":1e400}}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

        JsonNode meta = WireJson.parse(Http.json(sent).get("meta").asText()).orElseThrow();
        assertThat(meta.get("big").bigIntegerValue()).isEqualTo(new BigInteger("12345678901234567890123"));
        assertThat(meta.get("f").decimalValue()).isEqualTo(new BigDecimal("1.10"));
        assertThat(meta.get("e").decimalValue()).isEqualByComparingTo("100");
        assertThat(meta.get("huge").decimalValue()).isEqualTo(new BigDecimal("1e400"));
        assertThat(Http.json(sent).get("meta").asText()).contains("\"f\":1.10");
    }

    @Test
    void anEmptyIdempotencyKeyHeaderIsNoKey() {
        server.chat.room("room_empty_key", RoomType.GROUP, "alice", "bob");
        for (int i = 0; i < 2; i++) {
            String answer = http.raw(("POST /rooms/room_empty_key/messages HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + ALICE + "\r\nIdempotency-Key: \r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
                    + "Connection: close\r\n\r\n{\"content\":\"a\"}").getBytes(StandardCharsets.US_ASCII));
            assertThat(answer).startsWith("HTTP/1.1 200 ").doesNotContain("duplicate\":true");
        }
        assertThat(server.chat.messagesIn("room_empty_key")).isEqualTo(2);
    }

    @Test
    void aSmallDecimalSentWithoutAnExponentIsStoredWithoutOne() {
        server.chat.room("room_decimals", RoomType.GROUP, "alice", "bob");
        HttpResponse<String> sent = http.post("/rooms/room_decimals/messages", ALICE, "{\"content\":\"n\",\"meta\":"
                + "{\"n\":0.0000001,\"z\":0.0000000,\"m\":-0.00000001,\"t\":0.00000010,\"e\":1e-7,\"x\":1.5e3,"
                + "\"tiny\":1e-5000}}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

        assertThat(Http.json(sent).get("meta").asText()).isEqualTo("{\"n\":0.0000001,\"z\":0.0000000,"
                + "\"m\":-0.00000001,\"t\":0.00000010,\"e\":0.0000001,\"x\":1.5E+3,\"tiny\":1E-5000}");
    }

    @Test
    void sendingIsIdempotentAndEditingAndDeletingAnswerAsSpecified() {
        HttpResponse<String> sent = http.post("/rooms/room_ab/messages", ALICE,
                "{\"content\":\"hello\",\"meta\":\"{\\\"a\\\":1}\"}", "Idempotency-Key", "key-1");
        assertThat(sent.statusCode()).isEqualTo(200);
        JsonNode message = Http.json(sent);
        assertThat(message.get("message_id").asText()).isNotEmpty();
        assertThat(message.get("chatroom_id").asText()).isEqualTo("room_ab");
        assertThat(message.get("sender_id").asText()).isEqualTo("alice");
        assertThat(message.get("content").asText()).isEqualTo("hello");
        assertThat(message.get("meta").asText()).isEqualTo("{\"a\":1}");
        assertThat(message.get("client_msg_id").asText()).isEqualTo("key-1");
        assertThat(message.has("duplicate")).isFalse();

        JsonNode again = Http.json(http.post("/rooms/room_ab/messages", ALICE, "{\"content\":\"hello\",\"client_msg_id\":\"key-1\"}"));
        assertThat(again.get("duplicate").asBoolean()).isTrue();
        assertThat(again.get("message_id").asText()).isEqualTo(message.get("message_id").asText());
        assertError(http.post("/rooms/room_ab/messages", ALICE, "{\"content\":\"x\",\"client_msg_id\":\"a\"}",
                "Idempotency-Key", "b"), 400, "invalid_request");

        String path = "/rooms/room_ab/messages/" + message.get("message_id").asText();
        HttpResponse<String> edited = http.send("PUT", path, ALICE, "{\"content\":\"hello!\"}");
        assertThat(edited.statusCode()).isEqualTo(200);
        assertThat(Http.json(edited).get("content").asText()).isEqualTo("hello!");
        assertThat(Http.json(edited).get("edited_at").asText()).endsWith("Z");
        assertError(http.send("PUT", path, BOB, "{\"content\":\"nope\"}"), 403, "forbidden");
        assertThat(http.send("DELETE", path, ALICE, null).statusCode()).isEqualTo(204);

        HttpResponse<String> ack = http.post("/acks", BOB, "{\"room_id\":\"room_ab\",\"seq\":1}");
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(ack.body()).isEmpty();
        assertThat(server.chat.calls).contains("ack room_ab 1");
    }

    @Test
    void aNonAsciiIdempotencyKeyIsRefusedRatherThanReadAsAnotherKey() {
        String first = rawSend("ké".getBytes(StandardCharsets.UTF_8), "{\"content\":\"x\"}");
        assertThat(first).startsWith("HTTP/1.1 400").contains("\"error\":\"invalid_request\"", "ASCII");
        String other = rawSend("kü".getBytes(StandardCharsets.UTF_8), "{\"content\":\"y\"}");
        assertThat(other).startsWith("HTTP/1.1 400").doesNotContain("duplicate");
        String latin1 = rawSend("k\u00e9".getBytes(StandardCharsets.ISO_8859_1), "{\"content\":\"x\"}");
        assertThat(latin1).startsWith("HTTP/1.1 400").contains("\"error\":\"invalid_request\"");
        String both = rawSend("clé".getBytes(StandardCharsets.UTF_8), "{\"content\":\"x\",\"client_msg_id\":\"clé\"}");
        assertThat(both).startsWith("HTTP/1.1 400").contains("ASCII");
        String ascii = rawSend("k-ascii".getBytes(StandardCharsets.UTF_8), "{\"content\":\"x\"}");
        assertThat(ascii).startsWith("HTTP/1.1 200").contains("\"client_msg_id\":\"k-ascii\"");
    }

    private static String rawSend(byte[] key, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        var request = new java.io.ByteArrayOutputStream();
        request.writeBytes(("POST /rooms/room_ab/messages HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + ALICE
                + "\r\nContent-Type: application/json\r\nContent-Length: " + content.length
                + "\r\nConnection: close\r\nIdempotency-Key: ").getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(key);
        request.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(content);
        return http.raw(request.toByteArray());
    }

    @Test
    void rateLimitsAnswer429WithRetryAfterInWholeSeconds() {
        server.chat.rateLimitedFor = Duration.ofMillis(1500);
        HttpResponse<String> limited = http.post("/rooms/room_ab/messages", ALICE, "{\"content\":\"x\"}");
        assertError(limited, 429, "rate_limited");
        assertThat(Http.json(limited).get("message").asText()).isEqualTo("too many requests");
        assertThat(limited.headers().firstValue("Retry-After")).contains("2");
    }

    @Test
    void bodiesOverTheLimitAre413() {
        String big = "{\"content\":\"" + "x".repeat(5000) + "\"}";
        assertError(http.post("/rooms/room_ab/messages", ALICE, big), 413, "payload_too_large");
        assertThat(http.post("/rooms/room_ab/messages", ALICE, "{\"content\":\"small\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void failuresBecome503Or500WithoutDetails() {
        server.chat.sendFailure = () -> new StoreUnavailableException("disk gone", null);
        HttpResponse<String> busy = http.post("/rooms/room_ab/messages", ALICE, "{\"content\":\"x\"}");
        assertError(busy, 503, "internal_error");
        assertThat(Http.json(busy).get("message").asText()).contains("retry");
        assertThat(busy.headers().firstValue("Retry-After")).contains("1");
        server.chat.sendFailure = () -> new IllegalStateException("SELECT secret FROM t");
        HttpResponse<String> failed = http.post("/rooms/room_ab/messages", ALICE, "{\"content\":\"x\"}");
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).isEqualTo("{\"error\":\"internal_error\",\"message\":\"internal error\"}");
    }

    @Test
    void botsAndDeadLettersForAdmins() {
        HttpResponse<String> created = http.post("/bots", ADMIN, "{\"name\":\"Helper\",\"llm_base_url\":"
                + "\"http://127.0.0.1:1/v1\",\"llm_api_key_env\":\"OPENAI_API_KEY\",\"model\":\"gpt\","
                + "\"temperature\":0.5,\"max_tokens\":200}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode bot = Http.json(created);
        assertThat(bot.get("bot_id").asText()).startsWith("bot_");
        assertThat(bot.get("provider").asText()).isEqualTo("openai");
        assertThat(bot.get("max_context").asInt()).isEqualTo(20);
        assertThat(bot.get("temperature").asDouble()).isEqualTo(0.5);
        assertThat(bot.get("max_tokens").asInt()).isEqualTo(200);
        assertThat(bot.get("created_at").asText()).endsWith("Z");
        String id = bot.get("bot_id").asText();
        assertThat(Http.json(http.get("/bots", ADMIN)).get("bots").findValuesAsText("bot_id")).contains(id);
        assertThat(Http.json(http.get("/bots/" + id, ADMIN)).get("name").asText()).isEqualTo("Helper");
        assertThat(http.send("DELETE", "/bots/" + id, ADMIN, null).statusCode()).isEqualTo(204);
        assertError(http.get("/bots/" + id, ADMIN), 404, "not_found");

        Instant t = Instant.parse("2026-04-02T12:00:00Z");
        server.chat.deadLetters = List.of(new DeadLetter(7, "offline", "bob", "room_ab", "msg_1", 3, 5, t, t, null, null));
        JsonNode letters = Http.json(http.get("/admin/dead-letters?limit=5000", ADMIN)).get("failed_messages");
        assertThat(server.chat.calls).contains("dead-letters 1000");
        JsonNode letter = letters.get(0);
        assertThat(letter.get("id").asLong()).isEqualTo(7);
        assertThat(letter.get("kind").asText()).isEqualTo("offline");
        assertThat(letter.get("chatroom_id").asText()).isEqualTo("room_ab");
        assertThat(letter.get("attempts").asInt()).isEqualTo(5);
        assertThat(letter.get("last_attempt_at").asText()).isEqualTo("2026-04-02T12:00:00Z");
    }

    @Test
    void handoffChangesAnswerWithTheRoom() {
        JsonNode room = Http.json(http.post("/rooms/room_ab/handoff", ADMIN,
                "{\"state\":\"human\",\"agent_id\":\"agent_1\",\"reason\":\"angry\"}"));
        assertThat(room.at("/handoff/state").asText()).isEqualTo("human");
        assertThat(room.at("/handoff/agent_id").asText()).isEqualTo("agent_1");
        assertThat(room.at("/handoff/reason").asText()).isEqualTo("angry");
        assertError(http.post("/rooms/room_ab/handoff", ADMIN, "{}"), 400, "invalid_request");
    }

    @Test
    void corsHeadersForAllowedOriginsAndPreflightIs204() {
        HttpResponse<String> allowed = http.get("/rooms", ALICE, "Origin", "https://app.example");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
                .contains("Authorization", "Idempotency-Key", "Content-Type");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Methods").orElseThrow())
                .contains("PATCH", "DELETE", "OPTIONS");
        HttpResponse<String> other = http.get("/rooms", ALICE, "Origin", "https://evil.example");
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        HttpResponse<String> preflight = http.send("OPTIONS", "/rooms/room_ab/messages", null, null,
                "Origin", "https://app.example", "Access-Control-Request-Method", "POST");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example");
        assertThat(preflight.headers().firstValue("Allow")).contains("GET, POST, OPTIONS");
    }

    @Test
    void optionsNeedsNoTokenAndSaysWhatAKnownPathAnswersWhileAnUnknownOneIs404() {
        HttpResponse<String> room = http.send("OPTIONS", "/rooms/room_ab", null, null);
        assertThat(room.statusCode()).isEqualTo(204);
        assertThat(room.headers().firstValue("Allow")).contains("GET, PATCH, OPTIONS");
        assertThat(http.send("OPTIONS", "/ws", null, null).headers().firstValue("Allow")).contains("GET, OPTIONS");
        assertError(http.send("OPTIONS", "/bogus", null, null), 404, "not_found");
        assertError(http.send("OPTIONS", "/rooms/room_ab/nothing", null, null, "Origin", "https://app.example",
                "Access-Control-Request-Method", "POST"), 404, "not_found");
    }

    @Test
    void requestLogLinesNeverCarryTheQueryString() {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.chatapi.http");
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            http.get("/rooms/room_ab/messages?limit=3&token=" + ALICE, ALICE);
            // the line is written once the answer has gone out
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> lines.stream()
                    .anyMatch(l -> l.matches("GET /rooms/room_ab/messages 200 \\d+ms")));
        } finally {
            logger.removeHandler(handler);
        }
        assertThat(String.join("\n", lines)).doesNotContain(ALICE).doesNotContain("limit=");
    }
}
