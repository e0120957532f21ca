package io.chatapi.adapters.ws.rest;

import static io.chatapi.adapters.ws.rest.HttpAnswers.guarded;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.adapters.ws.UseCases;
import io.chatapi.adapters.ws.json.JsonFields;
import io.chatapi.adapters.ws.json.RestShapes;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.port.in.CreateRoomUseCase.CreateRoom;
import io.chatapi.application.port.in.HandoffUseCase.ChangeHandoff;
import io.chatapi.application.port.in.QueryRoomsUseCase.MemberView;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.Room;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Rooms, their members and their handoff state. */
public final class RoomRoutes implements HttpService {
    /**
     * User ids may hold any character, {@code /} and {@code ;} included, and Helidon decodes {@code %2F} before it
     * matches a route: the user id is the whole rest of the path ({@link PathIds#rest}), so {@code x%2Fy} and
     * {@code x/y} both name "x/y". The pattern matches line terminators too ({@code %0A}, U+2028…), which
     * Helidon's {@code {+user_id}} does not.
     */
    static final String MEMBER_PATH = "/rooms/{room_id}/members/{user_id:(?s:.+)}";

    private final UseCases useCases;
    private final RequestBodies bodies;

    public RoomRoutes(UseCases useCases, RequestBodies bodies) {
        this.useCases = useCases;
        this.bodies = bodies;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/rooms", guarded(this::list))
                .post("/rooms", guarded(this::create))
                .get("/rooms/{room_id}", guarded(this::get))
                .patch("/rooms/{room_id}", guarded(this::update))
                .get("/rooms/{room_id}/members", guarded(this::members))
                .post("/rooms/{room_id}/members", guarded(this::addMember))
                .delete(MEMBER_PATH, guarded(this::removeMember))
                .post("/rooms/{room_id}/handoff", guarded(this::handoff));
    }

    /**
     * Written to the client as the rooms are read, a page at a time: a user may be in any number of rooms, each
     * with up to 64 KiB of metadata, and the whole list in memory took the heap. A failure before the first room is
     * an error answer as usual; one after it closes the connection mid-answer ({@link StreamedList#abort}).
     */
    private void list(ServerRequest req, ServerResponse res) {
        StreamedList rooms = new StreamedList(req, res, "rooms");
        try {
            useCases.queryRooms().forEachRoomOf(Callers.of(req), view -> rooms.add(RestShapes.room(view)));
            rooms.end();
        } catch (RuntimeException e) {
            if (!rooms.started()) {
                throw e;
            }
            throw rooms.abort(e, HttpAnswers.describe(req));
        }
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonFields body = bodies.object(req);
        CreateRoom command = new CreateRoom(body.requiredString("type"), body.requiredStringList("members"),
                body.optionalString("name"), body.optionalJsonText("metadata"));
        HttpAnswers.json(req, res, 200, RestShapes.room(useCases.createRoom().create(Callers.of(req), command)));
    }

    private void get(ServerRequest req, ServerResponse res) {
        HttpAnswers.json(req, res, 200, RestShapes.room(useCases.queryRooms().room(Callers.of(req), roomId(req))));
    }

    private void update(ServerRequest req, ServerResponse res) {
        JsonFields body = bodies.object(req);
        Room room = useCases.updateRoom().update(Callers.of(req), roomId(req), body.optionalString("name"),
                body.optionalJsonText("metadata"));
        HttpAnswers.json(req, res, 200, RestShapes.room(room));
    }

    private void members(ServerRequest req, ServerResponse res) {
        ArrayNode members = WireJson.object().arrayNode();
        for (MemberView member : useCases.queryRooms().members(Callers.of(req), roomId(req))) {
            members.add(RestShapes.member(member));
        }
        ObjectNode body = WireJson.object();
        body.set("members", members);
        HttpAnswers.json(req, res, 200, body);
    }

    private void addMember(ServerRequest req, ServerResponse res) {
        String userId = bodies.object(req).requiredString("user_id");
        if (userId.isEmpty()) {
            throw ChatException.invalid("user_id must not be empty");
        }
        useCases.membership().addMember(Callers.of(req), roomId(req), userId);
        HttpAnswers.noContent(res);
    }

    private void removeMember(ServerRequest req, ServerResponse res) {
        useCases.membership().removeMember(Callers.of(req), roomId(req), PathIds.rest(req, 3));
        HttpAnswers.noContent(res);
    }

    private void handoff(ServerRequest req, ServerResponse res) {
        if (!AccessPolicy.canChangeHandoff(Callers.of(req))) {
            // before the body is read: who may not change the state learns nothing from a 400
            throw ChatException.forbidden("only admins and agents change the handoff state");
        }
        JsonFields body = bodies.object(req);
        ChangeHandoff command = new ChangeHandoff(body.requiredString("state"), body.optionalString("agent_id"),
                body.optionalString("reason"));
        HttpAnswers.json(req, res, 200, RestShapes.room(useCases.handoff().change(Callers.of(req), roomId(req), command)));
    }

    static String roomId(ServerRequest req) {
        return PathIds.segment(req, 1);
    }
}
