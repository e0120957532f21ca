package io.chatapi.adapters.ws.rest;

import static io.chatapi.adapters.ws.rest.HttpAnswers.guarded;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.adapters.ws.UseCases;
import io.chatapi.adapters.ws.json.JsonFields;
import io.chatapi.adapters.ws.json.RestShapes;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.ChatSettings;
import io.chatapi.application.port.in.SendMessageUseCase.SendMessage;
import io.chatapi.application.port.out.Appended;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Message;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Message history, sending (with idempotency), editing, deleting, and acknowledgements. */
public final class MessageRoutes implements HttpService {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;
    private static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");

    private final UseCases useCases;
    private final RequestBodies bodies;

    public MessageRoutes(UseCases useCases, RequestBodies bodies) {
        this.useCases = useCases;
        this.bodies = bodies;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/rooms/{room_id}/messages", guarded(this::history))
                .post("/rooms/{room_id}/messages", guarded(this::send))
                .put("/rooms/{room_id}/messages/{message_id}", guarded(this::edit))
                .delete("/rooms/{room_id}/messages/{message_id}", guarded(this::delete))
                .post("/acks", guarded(this::ack));
    }

    private void history(ServerRequest req, ServerResponse res) {
        // the page is not kept here while it is written: only its bytes stay (see AnswerBytes)
        HttpAnswers.json(req, res, 200, historyPage(req));
    }

    private ObjectNode historyPage(ServerRequest req) {
        // as the Go server reads them; an after_seq of all digits too large for a long is past every message
        long afterSeq = QueryNumbers.position(req.query().first("after_seq").orElse(null));
        int limit = QueryNumbers.limit(req.query().first("limit").orElse(null), DEFAULT_LIMIT, MAX_LIMIT);
        ArrayNode messages = WireJson.object().arrayNode();
        for (Message m : useCases.history().history(Callers.of(req), RoomRoutes.roomId(req), afterSeq, limit)) {
            messages.add(RestShapes.message(m));
        }
        ObjectNode body = WireJson.object();
        body.set("messages", messages);
        return body;
    }

    private void send(ServerRequest req, ServerResponse res) {
        JsonFields body = bodies.object(req);
        String clientMsgId = body.optionalString("client_msg_id");
        String key = idempotencyKey(req);
        if (key != null && clientMsgId != null && !key.equals(clientMsgId)) {
            throw ChatException.invalid("Idempotency-Key and client_msg_id differ");
        }
        SendMessage command = new SendMessage(RoomRoutes.roomId(req), body.requiredString("content"),
                body.optionalJsonText("meta"), clientMsgId != null ? clientMsgId : key);
        Appended appended = useCases.sendMessage().send(Callers.of(req), command);
        ObjectNode message = RestShapes.message(appended.message());
        if (appended.duplicate()) {
            message.put("duplicate", true);
        }
        HttpAnswers.json(req, res, 200, message);
    }

    /**
     * The request's one {@code Idempotency-Key}, or null. Two of them are refused: Helidon joins their values
     * with commas, so a proxy that repeats the header would turn {@code k4} into the key {@code k4,k4}, and a
     * retry through another path would then send the message twice. An empty one is no key, as in the Go server
     * (an HTTP client that always sets the header, empty when there is no key, is not refused).
     */
    private static String idempotencyKey(ServerRequest req) {
        if (!req.headers().contains(IDEMPOTENCY_KEY)) {
            return null;
        }
        if (req.headers().get(IDEMPOTENCY_KEY).valueCount() > 1) {
            throw ChatException.invalid("send one Idempotency-Key header, not several");
        }
        String value = req.headers().get(IDEMPOTENCY_KEY).get();
        return value.isEmpty() ? null : idempotencyKey(value);
    }

    /**
     * The key as sent when it is ASCII. Helidon reads header values as US-ASCII and turns every other byte into
     * U+FFFD, so a non-ASCII key cannot be recovered, and two of them could read alike: those are refused.
     */
    static String idempotencyKey(String headerValue) {
        if (headerValue.indexOf('\uFFFD') >= 0) {
            throw ChatException.invalid("Idempotency-Key must be ASCII; send a non-ASCII key as client_msg_id");
        }
        if (headerValue.isEmpty() || headerValue.length() > ChatSettings.MAX_CLIENT_MSG_ID_CHARS) {
            throw ChatException.invalid("Idempotency-Key must be 1 to " + ChatSettings.MAX_CLIENT_MSG_ID_CHARS
                    + " characters");
        }
        return headerValue;
    }

    private void edit(ServerRequest req, ServerResponse res) {
        String content = bodies.object(req).requiredString("content");
        Message edited = useCases.editMessage().edit(Callers.of(req), RoomRoutes.roomId(req), messageId(req), content);
        HttpAnswers.json(req, res, 200, RestShapes.message(edited));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        useCases.editMessage().delete(Callers.of(req), RoomRoutes.roomId(req), messageId(req));
        HttpAnswers.noContent(res);
    }

    private void ack(ServerRequest req, ServerResponse res) {
        JsonFields body = bodies.object(req);
        useCases.ack().ack(Callers.of(req), body.requiredString("room_id"), body.requiredCount("seq"));
        res.status(200);
        res.send();
    }

    private static String messageId(ServerRequest req) {
        return PathIds.segment(req, 3);
    }
}
