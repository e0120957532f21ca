package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.domain.RoomType;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Valid JSON the parser will not take in full, and text refused before it is read, on both transports. */
class JsonLimitsTest {
    private static final String DIGITS = "9".repeat(5_000);
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(s -> s.origins("https://app.example"));
        server.chat.room("room_ab", RoomType.GROUP, "alice", "bob");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aNumberOfThousandsOfDigitsIsAnInvalidRequestNotAnInvalidFrame() {
        try (WsClient c = WsClient.connect(server.port(), Tokens.user("alice"))) {
            c.assertAlive();
            c.send("{\"type\":\"ack\",\"data\":{\"room_id\":\"room_ab\",\"seq\":" + DIGITS + "}}");
            JsonNode error = c.next("error");
            assertThat(error.at("/data/code").asText()).isEqualTo("invalid_request");
            assertThat(error.at("/data/message").asText()).isEqualTo("a number has more than 1000 digits");
            c.assertAlive();
        }
        HttpResponse<String> rest = new Http(server.port()).post("/acks", Tokens.user("alice"),
                "{\"room_id\":\"room_ab\",\"seq\":" + DIGITS + "}");
        assertThat(rest.statusCode()).isEqualTo(400);
        assertThat(Http.json(rest).get("error").asText()).isEqualTo("invalid_request");
        assertThat(Http.json(rest).get("message").asText()).isEqualTo("a number has more than 1000 digits");
    }

    @Test
    void aNumberIsCountedTheSameOverTheSocketAndRest() {
        String fractionTooLong = "0." + "0".repeat(999) + "1";
        String fractionAtTheLimit = "1." + "0".repeat(999);
        try (WsClient c = WsClient.connect(server.port(), Tokens.user("alice"))) {
            c.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_ab\",\"content\":\"x\","
                    + "\"meta\":{\"n\":" + fractionTooLong + "}}}");
            JsonNode error = c.next("error");
            assertThat(error.at("/data/code").asText()).isEqualTo("invalid_request");
            assertThat(error.at("/data/message").asText()).isEqualTo("a number has more than 1000 digits");
            c.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_ab\",\"content\":\"x\","
                    + "\"client_msg_id\":\"at-limit\",\"meta\":{\"n\":" + fractionAtTheLimit + "}}}");
            assertThat(c.next("message.sent").findValue("client_msg_id").asText()).isEqualTo("at-limit");
        }
        HttpResponse<String> rest = new Http(server.port()).post("/rooms/room_ab/messages", Tokens.user("alice"),
                "{\"content\":\"x\",\"meta\":{\"n\":" + fractionTooLong + "}}");
        assertThat(rest.statusCode()).isEqualTo(400);
        assertThat(Http.json(rest).get("message").asText()).isEqualTo("a number has more than 1000 digits");
    }

    @Test
    void aNumberWhoseExponentNoDecimalHoldsIsAnInvalidRequestAndTheSocketStaysOpen() {
        String[] numbers = {"1e99999999999", "0e99999999999", "1e9999999999", "1.5e-99999999999", "1e-2147483649"};
        try (WsClient c = WsClient.connect(server.port(), Tokens.user("alice"))) {
            c.assertAlive();
            for (String number : numbers) {
                c.send("{\"type\":\"ack\",\"data\":{\"room_id\":\"room_ab\",\"seq\":" + number + "}}");
                JsonNode error = c.next("error");
                assertThat(error.at("/data/code").asText()).as(number).isEqualTo("invalid_request");
                assertThat(error.at("/data/message").asText())
                        .isEqualTo("a number's exponent is beyond the server's limits");
                c.assertAlive();
            }
        }
        Http http = new Http(server.port());
        for (String number : numbers) {
            for (String body : new String[] {"{\"room_id\":\"room_ab\",\"seq\":" + number + "}",
                    "{\"room_id\":\"room_ab\",\"seq\":1,\"unknown\":[" + number + "]}"}) {
                HttpResponse<String> rest = http.post("/acks", Tokens.user("alice"), body);
                assertThat(rest.statusCode()).as(body).isEqualTo(400);
                assertThat(Http.json(rest).get("error").asText()).isEqualTo("invalid_request");
            }
        }
    }

    @Test
    void aSendRefusedForANumberBeyondTheLimitsCarriesItsClientMsgIdAndRoom() {
        try (WsClient c = WsClient.connect(server.port(), Tokens.user("alice"))) {
            c.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_ab\",\"content\":\"hi\","
                    + "\"meta\":{\"n\":1e99999999999},\"client_msg_id\":\"c-11\"}}");
            JsonNode error = c.next("error");
            assertThat(error.at("/data/code").asText()).isEqualTo("invalid_request");
            assertThat(error.at("/data/client_msg_id").asText()).isEqualTo("c-11");
            assertThat(error.at("/data/room_id").asText()).isEqualTo("room_ab");
            c.assertAlive();
        }
    }

    @Test
    void aSendRefusedForAReplacementCharacterCarriesItsClientMsgIdAndRoom() {
        try (WsClient c = WsClient.connect(server.port(), Tokens.user("alice"))) {
            c.assertAlive();
            c.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_ab\",\"content\":\"caf\uFFFD\","
                    + "\"client_msg_id\":\"c-9\"}}");
            JsonNode error = c.next("error");
            assertThat(error.at("/data/code").asText()).isEqualTo("invalid_frame");
            assertThat(error.at("/data/client_msg_id").asText()).isEqualTo("c-9");
            assertThat(error.at("/data/room_id").asText()).isEqualTo("room_ab");
            c.send("{\"type\":\"send_message\",\"data\":{\"room_id\":\"room_ab\",\"content\":\"caf\\ufffd\","
                    + "\"client_msg_id\":\"c-10\"}}");
            assertThat(c.next("message.sent").at("/client_msg_id").asText()).isEqualTo("c-10");
        }
    }

    @Test
    void aBrowserMayReadTheRetryAfterOfA429() {
        HttpResponse<String> answer = new Http(server.port()).get("/rooms", Tokens.user("alice"),
                "Origin", "https://app.example");
        assertThat(answer.headers().firstValue("Access-Control-Expose-Headers")).contains("Retry-After");
    }
}
