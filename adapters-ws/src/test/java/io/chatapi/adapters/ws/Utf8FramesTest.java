package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.domain.RoomType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Helidon hands over each text frame decoded, with U+FFFD in place of bytes that are not UTF-8: a message holding
 * that character is refused with {@code invalid_frame} and nothing is stored; the escaped {@code \ufffd} is fine.
 * A binary message is read as UTF-8 text (as the Go server reads it), decoded strictly from its bytes.
 */
class Utf8FramesTest {
    private static final byte[] E_ACUTE = "é".getBytes(StandardCharsets.UTF_8);
    private static TestServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = new Http(server.port());
        for (String room : new String[] {"room_bytes", "room_split", "room_whole", "room_escaped", "room_binary",
                "room_binary_split", "room_binary_bad"}) {
            server.chat.room(room, RoomType.GROUP, "uma", "ula");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithInvalidFrameAndTheConnectionStaysUsable() throws IOException {
        try (RawWsClient uma = connect()) {
            byte[] frame = concat(frame("room_bytes", "bad"), new byte[] {(byte) 0xFF, (byte) 0xFE}, tail("byte"));
            uma.sendFrame(true, 1, frame);
            assertInvalidFrame(uma.nextEvent(), "room_bytes");
            uma.sendText("{\"type\":\"ping\"}");
            assertThat(uma.nextEvent().get("type").asText()).isEqualTo("pong");
        }
        assertThat(history("room_bytes")).isEmpty();
    }

    @Test
    void aCharacterSplitBetweenFramesIsRefusedWithInvalidFrame() throws IOException {
        try (RawWsClient uma = connect()) {
            byte[] message = concat(frame("room_split", "caf"), E_ACUTE, tail(" au lait"));
            int inside = indexOf(message, E_ACUTE) + 1;
            uma.sendFrame(false, 1, Arrays.copyOfRange(message, 0, inside));
            uma.sendFrame(true, 0, Arrays.copyOfRange(message, inside, message.length));
            assertInvalidFrame(uma.nextEvent(), "room_split");
            uma.sendText("{\"type\":\"ping\"}");
            assertThat(uma.nextEvent().get("type").asText()).isEqualTo("pong");
        }
        assertThat(history("room_split")).isEmpty();
    }

    @Test
    void aMessageSplitBetweenCharactersIsStoredIntact() throws IOException {
        try (RawWsClient uma = connect()) {
            byte[] message = concat(frame("room_whole", "caf"), E_ACUTE, tail(" au lait"));
            int before = indexOf(message, E_ACUTE);
            uma.sendFrame(false, 1, Arrays.copyOfRange(message, 0, before));
            uma.sendFrame(false, 0, Arrays.copyOfRange(message, before, before + E_ACUTE.length));
            uma.sendFrame(true, 0, Arrays.copyOfRange(message, before + E_ACUTE.length, message.length));
            assertThat(next(uma, "message.sent").get("client_msg_id").asText()).isEqualTo("u-1");
        }
        assertThat(history("room_whole")).extracting(m -> m.get("content").asText()).containsExactly("café au lait");
    }

    @Test
    void anEscapedReplacementCharacterIsStoredAsIt() throws IOException {
        try (RawWsClient uma = connect()) {
            uma.sendFrame(true, 1, concat(frame("room_escaped", "lost \\ufffd"), tail("")));
            assertThat(next(uma, "message.sent").get("client_msg_id").asText()).isEqualTo("u-1");
        }
        assertThat(history("room_escaped")).extracting(m -> m.get("content").asText()).containsExactly("lost \uFFFD");
    }

    @Test
    void aBinaryMessageIsReadAsUtf8TextAndAnsweredWithText() throws IOException {
        try (RawWsClient uma = connect(); RawWsClient ula = RawWsClient.connect(server.port(), Tokens.user("ula"), 0)) {
            ula.sendText("{\"type\":\"ping\"}");
            next(ula, "pong");
            uma.sendFrame(true, 2, concat(frame("room_binary", "raw \uFFFD and é"), tail("")));
            assertThat(next(uma, "message.sent").get("client_msg_id").asText()).isEqualTo("u-1");
            assertThat(next(ula, "message").get("content").asText()).isEqualTo("raw \uFFFD and é");
            uma.sendFrame(true, 2, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
            for (RawWsClient.Frame f = uma.readFrame(); ; f = uma.readFrame()) {
                assertThat(f.opcode()).as("answers are text frames").isEqualTo(1);
                if (new String(f.payload(), StandardCharsets.UTF_8).equals("{\"type\":\"pong\"}")) {
                    break;
                }
            }
        }
        assertThat(history("room_binary")).extracting(m -> m.get("content").asText())
                .containsExactly("raw \uFFFD and é");
    }

    @Test
    void aBinaryMessageSplitInsideACharacterIsStoredIntact() throws IOException {
        try (RawWsClient uma = connect()) {
            byte[] message = concat(frame("room_binary_split", "caf"), E_ACUTE, tail(" au lait"));
            int inside = indexOf(message, E_ACUTE) + 1;
            uma.sendFrame(false, 2, Arrays.copyOfRange(message, 0, inside));
            uma.sendFrame(true, 0, Arrays.copyOfRange(message, inside, message.length));
            assertThat(next(uma, "message.sent").get("client_msg_id").asText()).isEqualTo("u-1");
        }
        assertThat(history("room_binary_split")).extracting(m -> m.get("content").asText())
                .containsExactly("café au lait");
    }

    @Test
    void aBinaryMessageThatIsNotUtf8IsRefusedWithInvalidFrame() throws IOException {
        try (RawWsClient uma = connect()) {
            uma.sendFrame(true, 2, concat(frame("room_binary_bad", "bad"), new byte[] {(byte) 0xC3}, tail("")));
            JsonNode error = uma.nextEvent();
            assertThat(error.at("/data/code").asText()).isEqualTo("invalid_frame");
            assertThat(error.at("/data/message").asText()).isEqualTo("binary frame is not valid UTF-8");
            assertThat(error.at("/data/client_msg_id").asText()).isEqualTo("u-1");
            assertThat(error.at("/data/room_id").asText()).isEqualTo("room_binary_bad");
            uma.sendText("{\"type\":\"ping\"}");
            assertThat(uma.nextEvent().get("type").asText()).isEqualTo("pong");
        }
        assertThat(history("room_binary_bad")).isEmpty();
    }

    @Test
    void aMessageBegunInsideAnUnfinishedOneOfTheOtherKindIsActedOnAndTheDroppedOneNamed() throws IOException {
        try (RawWsClient uma = connect()) {
            uma.sendFrame(false, 1, frame("room_binary", "never"));
            uma.sendFrame(true, 2, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
            JsonNode error = uma.nextEvent();
            assertThat(error.at("/data/code").asText()).isEqualTo("invalid_frame");
            assertThat(error.at("/data/message").asText()).startsWith("a new message began");
            assertThat(uma.nextEvent().get("type").asText()).isEqualTo("pong");
        }
    }

    private static RawWsClient connect() throws IOException {
        RawWsClient client = RawWsClient.connect(server.port(), Tokens.user("uma"), 0);
        client.sendText("{\"type\":\"ping\"}");
        next(client, "pong");
        return client;
    }

    /** The refusal of a send whose bytes are not UTF-8, with the client id and room its text shows. */
    private static void assertInvalidFrame(JsonNode event, String roomId) {
        assertThat(event.get("type").asText()).isEqualTo("error");
        assertThat(event.at("/data/code").asText()).isEqualTo("invalid_frame");
        assertThat(event.at("/data/message").asText())
                .isEqualTo("text frame is not valid UTF-8 (send U+FFFD escaped as \\ufffd)");
        assertThat(event.at("/data/client_msg_id").asText()).isEqualTo("u-1");
        assertThat(event.at("/data/room_id").asText()).isEqualTo(roomId);
    }

    private static JsonNode next(RawWsClient client, String type) throws IOException {
        for (JsonNode event = client.nextEvent(); ; event = client.nextEvent()) {
            if (type.equals(event.path("type").asText())) {
                return event;
            }
        }
    }

    /** A send_message frame up to the middle of its content, which begins with {@code start}. */
    private static byte[] frame(String roomId, String start) {
        return ("{\"type\":\"send_message\",\"data\":{\"room_id\":\"" + roomId + "\",\"client_msg_id\":\"u-1\","
                + "\"content\":\"" + start).getBytes(StandardCharsets.UTF_8);
    }

    /** The end of the content, {@code end}, and of the frame. */
    private static byte[] tail(String end) {
        return (end + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    private static Iterable<JsonNode> history(String roomId) {
        return Http.json(http.get("/rooms/" + roomId + "/messages", Tokens.user("ula"))).get("messages");
    }
}
