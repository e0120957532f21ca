package io.chatapi.adapters.ws;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.adapters.ws.auth.InvalidTokenException;
import io.chatapi.adapters.ws.auth.VerifiedToken;
import io.chatapi.adapters.ws.json.EventFrames;
import io.chatapi.adapters.ws.json.JsonFields;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.ChatSettings;
import io.chatapi.application.port.in.HistoryUseCase.Replay;
import io.chatapi.application.port.in.SendMessageUseCase.SendMessage;
import io.chatapi.application.port.in.StreamsUseCase.ActiveStream;
import io.chatapi.application.port.out.Appended;
import io.chatapi.application.port.out.ChatEvent;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.ErrorCode;
import io.chatapi.domain.Message;
import io.chatapi.domain.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Handles one connection's client frames, in order, on its reading thread: parses, calls the use case, and
 * answers on the same connection. A bad frame gets an {@code error} frame and never closes the connection.
 */
final class ClientFrames {
    private static final Logger LOG = Logger.getLogger(ClientFrames.class.getName());

    private final SocketConnection connection;
    private final SocketServices services;

    ClientFrames(SocketConnection connection, SocketServices services) {
        this.connection = connection;
        this.services = services;
    }

    void handle(String text) {
        JsonNode frame;
        try {
            frame = WireJson.parse(text).orElse(null);
        } catch (ChatException e) { // JSON beyond the parser's limits
            unreadable(e.code(), e.getMessage(), text);
            return;
        }
        if (frame == null) {
            unreadable(ErrorCode.INVALID_FRAME, "frame is not valid JSON", text);
            return;
        }
        if (!frame.isObject()) {
            error(ErrorCode.INVALID_FRAME, "frame must be a JSON object", null);
            return;
        }
        JsonNode type = frame.get("type");
        if (type == null || !type.isTextual()) {
            error(ErrorCode.INVALID_FRAME, "frame must have a string type", null);
            return;
        }
        String clientMsgId = clientMsgId(frame);
        try {
            dispatch(type.textValue(), frame);
        } catch (ChatException e) {
            error(e.code(), e.getMessage(), clientMsgId, roomId(type.textValue(), frame));
        } catch (StoreUnavailableException e) {
            // the store reports the cause (one line, throttled)
            LOG.log(Level.FINE, "store unavailable while handling a frame", e);
            error(ErrorCode.UNAVAILABLE, EventFrames.UNAVAILABLE_MESSAGE, clientMsgId, roomId(type.textValue(), frame));
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "internal error while handling a frame", e);
            error(ErrorCode.INTERNAL, "internal error", clientMsgId, roomId(type.textValue(), frame));
        }
    }

    private void dispatch(String type, JsonNode frame) {
        switch (type) {
            case "send_message" -> send(data(frame));
            case "ack" -> {
                JsonFields data = data(frame);
                services.useCases().ack().ack(principal(), data.requiredString("room_id"), data.requiredCount("seq"));
            }
            case "typing.start", "typing.stop" -> services.useCases().typing()
                    .typing(principal(), data(frame).requiredString("room_id"), type.equals("typing.start"));
            case "ping" -> connection.reply(EventFrames.pong());
            case "resume" -> resume(data(frame).requiredObject("rooms").asCounts("rooms"));
            case "stream.cancel" -> {
                JsonFields data = data(frame);
                services.useCases().streams().cancel(principal(), data.requiredString("room_id"),
                        data.requiredString("message_id"));
            }
            case "auth.refresh" -> refresh(data(frame).requiredString("token"));
            default -> error(ErrorCode.UNKNOWN_TYPE, "unknown frame type", null);
        }
    }

    private void send(JsonFields data) {
        String clientMsgId = data.optionalString("client_msg_id");
        SendMessage command = new SendMessage(data.requiredString("room_id"), data.requiredString("content"),
                data.optionalJsonText("meta"), clientMsgId);
        Appended appended = services.useCases().sendMessage().send(principal(), command);
        if (clientMsgId != null) {
            connection.reply(EventFrames.sent(appended.message(), appended.duplicate()));
        }
    }

    private void resume(Map<String, Long> rooms) {
        for (Map.Entry<String, Long> room : rooms.entrySet()) {
            resumeRoom(room.getKey(), room.getValue());
        }
    }

    private void resumeRoom(String roomId, long lastSeq) {
        connection.holdRoom(roomId);
        // an error names the room only as far as a valid id could be that room
        String echoed = echoable(roomId, Principal.MAX_USER_ID_CHARS);
        Replay replay;
        try {
            replay = services.useCases().history().resume(principal(), roomId, lastSeq);
        } catch (ChatException e) {
            connection.released(roomId, List.of(errorFrame(e.code(), e.getMessage(), null, echoed)));
            return;
        } catch (StoreUnavailableException e) {
            // the store reports the cause (one line, throttled)
            LOG.log(Level.FINE, "store unavailable while resuming", e);
            connection.released(roomId,
                    List.of(errorFrame(ErrorCode.UNAVAILABLE, EventFrames.UNAVAILABLE_MESSAGE, null, echoed)));
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "resume failed", e);
            connection.released(roomId, List.of(errorFrame(ErrorCode.INTERNAL, "internal error", null, echoed)));
            return;
        }
        List<String> leading = new ArrayList<>(replay.messages().size() + 1);
        for (Message message : replay.messages()) {
            leading.add(EventFrames.event(new ChatEvent.MessageCreated(message, true)));
        }
        leading.add(EventFrames.resumeDone(roomId, replay.lastSeq(), replay.complete()));
        long lastReplayed = replay.messages().isEmpty() ? -1 : replay.messages().getLast().seq();
        connection.resumed(roomId, leading, replay.lastSeq(), lastReplayed, activeStreams(List.of(roomId)));
    }

    /** The replies streaming now in these rooms; none when the question fails (the stream's end still comes). */
    List<ActiveStream> activeStreams(List<String> roomIds) {
        if (roomIds.isEmpty()) {
            return List.of();
        }
        try {
            return services.useCases().streams().active(roomIds);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not read active streams", e);
            return List.of();
        }
    }

    private void refresh(String token) {
        VerifiedToken verified;
        try {
            verified = services.verifier().verify(token);
        } catch (InvalidTokenException e) {
            error(ErrorCode.UNAUTHORIZED, "Invalid token", null);
            return;
        }
        if (!verified.principal().userId().equals(connection.userId())) {
            error(ErrorCode.UNAUTHORIZED, "token is for another user", null);
            return;
        }
        connection.refreshed(verified.principal(), verified.expiresAt().orElse(null),
                services.settings().jwtLeeway());
        connection.reply(EventFrames.authRefreshed(verified.expiresAt().map(i -> i.getEpochSecond()).orElse(null)));
    }

    private Principal principal() {
        return connection.principal();
    }

    private static JsonFields data(JsonNode frame) {
        return JsonFields.of(frame.get("data"), "data");
    }

    /** The frame's client id, to answer it in an error; null when absent, not a string or not well-formed. */
    private static String clientMsgId(JsonNode frame) {
        return echoable(frame.get("data"), "client_msg_id", ChatSettings.MAX_CLIENT_MSG_ID_CHARS);
    }

    /**
     * The client id of a message refused for its size, read from the head kept of it: null when that head does
     * not show one (within the first frames that fit the limit), or it is not a well-formed string of at most
     * {@link ChatSettings#MAX_CLIENT_MSG_ID_CHARS} UTF-16 code units.
     */
    static String clientMsgIdIn(String head) {
        String id = WireJson.stringIn(head, "data", "client_msg_id", ChatSettings.MAX_CLIENT_MSG_ID_CHARS);
        return id != null && WireJson.wellFormed(id) ? id : null;
    }

    /** The room of a frame that could not be parsed whole, read from its text as {@link #clientMsgIdIn} does. */
    private static String roomIdIn(String text) {
        String id = WireJson.stringIn(text, "data", "room_id", Principal.MAX_USER_ID_CHARS);
        return id != null && WireJson.wellFormed(id) ? id : null;
    }

    /**
     * The error for a whole text message refused before it is acted on (its raw text holds U+FFFD, so as far as can
     * be told it is not UTF-8), with the client id and room the text shows, as any refused frame has them.
     */
    static String refusedUnread(ErrorCode code, String message, String text) {
        JsonNode frame;
        try {
            frame = WireJson.parse(text).orElse(null);
        } catch (RuntimeException e) {
            frame = null; // beyond the parser's limits: read as no frame, as text that is not JSON is
        }
        if (frame == null || !frame.isObject() || frame.get("type") == null || !frame.get("type").isTextual()) {
            return errorFrame(code, message, clientMsgIdIn(text));
        }
        return errorFrame(code, message, clientMsgId(frame), roomId(frame.get("type").textValue(), frame));
    }

    /** The room a refused frame concerns, for its error: the {@code room_id} of a frame about one room. */
    private static String roomId(String type, JsonNode frame) {
        return switch (type) {
            case "send_message", "ack", "typing.start", "typing.stop", "stream.cancel" ->
                    echoable(frame.get("data"), "room_id", Principal.MAX_USER_ID_CHARS);
            default -> null;
        };
    }

    /**
     * A field of {@code data} to echo in an error: null unless it is a well-formed string of at most {@code max}
     * UTF-16 code units, so that an error never carries back more than a valid id would be.
     */
    private static String echoable(JsonNode data, String field, int max) {
        JsonNode value = data == null ? null : data.get(field);
        return value != null && value.isTextual() ? echoable(value.textValue(), max) : null;
    }

    private static String echoable(String value, int max) {
        return value.length() <= max && WireJson.wellFormed(value) ? value : null;
    }

    /** The error for a frame that could not be parsed whole, with the client id and room its text shows. */
    private void unreadable(ErrorCode code, String message, String text) {
        error(code, message, clientMsgIdIn(text), roomIdIn(text));
    }

    private void error(ErrorCode code, String message, String clientMsgId) {
        error(code, message, clientMsgId, null);
    }

    private void error(ErrorCode code, String message, String clientMsgId, String roomId) {
        connection.reply(errorFrame(code, message, clientMsgId, roomId));
    }

    static String errorFrame(ErrorCode code, String message, String clientMsgId) {
        return errorFrame(code, message, clientMsgId, null);
    }

    static String errorFrame(ErrorCode code, String message, String clientMsgId, String roomId) {
        String text = code == ErrorCode.RATE_LIMITED ? "too many requests" : message;
        return EventFrames.error(code.wire(), text, clientMsgId, roomId);
    }
}
