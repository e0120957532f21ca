package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.HandoffState;
import io.chatapi.domain.Room;
import io.chatapi.domain.RoomType;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /rooms} is written as the rooms come: long lists whole and in order, failures midway cut it. */
class RoomListTest {
    private static final int ROOMS = 450;
    private static final String LISTER = Tokens.user("lister");
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456789Z");

    private static TestServer server;
    private static Http http;
    private static List<Room> rooms;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        http = new Http(server.port());
        rooms = new ArrayList<>();
        String metadata = "{\"notes\":\"" + "é\\n\\u2028x".repeat(200) + "\"}";
        for (int i = 0; i < ROOMS; i++) {
            Instant created = T0.plusMillis(i / 3); // three rooms to an instant: ties go by id
            Handoff handoff = i % 7 == 0 ? new Handoff(HandoffState.HUMAN, "agent_" + i, "why " + i, "lister", created)
                    : Handoff.initial(created);
            Room room = new Room(String.format("room_%04d", (i * 37) % ROOMS), RoomType.GROUP,
                    i % 2 == 0 ? "Room \"" + i + "\"" : null, i % 5 == 0 ? null : metadata, i, created, handoff);
            server.chat.room(room, "lister", "other");
            rooms.add(room);
        }
        rooms.sort(Comparator.comparing(Room::createdAt).thenComparing(Room::id).reversed());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void reset() {
        server.chat.roomsFailure = null;
        server.chat.roomsPausingAt = -1;
    }

    @Test
    void everyRoomIsListedOnceNewestFirstEachAsItsOwnAnswerHasIt() {
        HttpResponse<String> list = http.get("/rooms", LISTER);

        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.headers().firstValue("Content-Type")).contains("application/json");
        List<String> each = new ArrayList<>();
        for (Room room : rooms) {
            HttpResponse<String> one = http.get("/rooms/" + room.id(), LISTER);
            assertThat(one.statusCode()).isEqualTo(200);
            each.add(one.body());
        }
        assertThat(list.body()).isEqualTo("{\"rooms\":[" + String.join(",", each) + "]}");
        assertThat(Http.json(list).get("rooms").findValuesAsText("room_id"))
                .containsExactlyElementsOf(rooms.stream().map(Room::id).toList());
    }

    @Test
    void noRoomsIsAnEmptyList() {
        HttpResponse<String> list = http.get("/rooms", Tokens.user("nobody"));

        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).isEqualTo("{\"rooms\":[]}");
    }

    @Test
    void theClientReadsTheFirstRoomsWhileTheRestAreStillBeingRead() throws Exception {
        CountDownLatch clientHasRooms = new CountDownLatch(1);
        AtomicBoolean seenBeforeTheRest = new AtomicBoolean();
        server.chat.roomsPausingAt = 300;
        server.chat.roomsPause = () -> {
            try {
                seenBeforeTheRest.set(clientHasRooms.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        try (Socket socket = get("lister")) {
            String start = readUntil(socket.getInputStream(), "\"room_id\"");
            clientHasRooms.countDown();
            String rest = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(start).startsWith("HTTP/1.1 200 ");
            assertThat(rest).endsWith("]}\r\n0\r\n\r\n");
        }
        assertThat(seenBeforeTheRest).isTrue();
    }

    @Test
    void theListGoesOutInBufferfulsNotAWriteForEachRoom() throws Exception {
        try (Socket socket = get("lister")) {
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int chunks = 0;
            for (int at = answer.indexOf("\r\n\r\n") + 4; ; chunks++) {
                int lineEnd = answer.indexOf("\r\n", at);
                int size = Integer.parseInt(answer.substring(at, lineEnd), 16);
                if (size == 0) {
                    break;
                }
                at = lineEnd + 2 + size + 2;
            }
            assertThat(chunks).isBetween(1, ROOMS / 10);
        }
    }

    @Test
    void aFailureAfterTheAnswerBeganCutsTheConnectionInsteadOfEndingTheList() throws Exception {
        server.chat.roomsFailingAt = 300;
        server.chat.roomsFailure = new StoreUnavailableException("disk gone", new IOException("EIO"));

        try (Socket socket = get("lister")) {
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(answer).startsWith("HTTP/1.1 200 ").containsIgnoringCase("transfer-encoding: chunked")
                    .contains("\"room_id\"").doesNotContain("]}").doesNotEndWith("0\r\n\r\n");
        }
        server.chat.roomsFailure = null;
        assertThat(http.get("/rooms", LISTER).statusCode()).isEqualTo(200);
    }

    @Test
    void aFailureBeforeTheFirstRoomIsAnErrorAnswer() {
        server.chat.roomsFailingAt = 0;
        server.chat.roomsFailure = new StoreUnavailableException("disk gone", new IOException("EIO"));

        HttpResponse<String> answer = http.get("/rooms", LISTER);

        assertThat(answer.statusCode()).isEqualTo(503);
        JsonNode body = Http.json(answer);
        assertThat(body.get("error").asText()).isEqualTo("internal_error");
        assertThat(answer.headers().firstValue("Retry-After")).contains("1");
    }

    /** A socket that has sent {@code GET /rooms} for this user and closes after the answer. */
    private static Socket get(String user) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("GET /rooms HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer "
                + Tokens.user(user) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return socket;
    }

    private static String readUntil(InputStream in, String wanted) throws IOException {
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (read.indexOf(wanted) < 0) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
        return read.toString();
    }
}
