package io.chatapi.adapters.ws.rest;

import static io.chatapi.adapters.ws.rest.HttpAnswers.guarded;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatapi.adapters.ws.UseCases;
import io.chatapi.adapters.ws.json.JsonFields;
import io.chatapi.adapters.ws.json.RestShapes;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.application.port.in.ManageBotsUseCase.NewBot;
import io.chatapi.domain.AccessPolicy;
import io.chatapi.domain.Bot;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.DeadLetter;
import io.chatapi.domain.Principal;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Bot management and the dead-letter listing (both admin-only, which the use cases enforce). */
public final class BotRoutes implements HttpService {
    static final int DEFAULT_DEAD_LETTERS = 100;
    static final int MAX_DEAD_LETTERS = 1000;

    private final UseCases useCases;
    private final RequestBodies bodies;

    public BotRoutes(UseCases useCases, RequestBodies bodies) {
        this.useCases = useCases;
        this.bodies = bodies;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/bots", guarded(this::create))
                .get("/bots", guarded(this::list))
                .get("/bots/{bot_id}", guarded(this::get))
                .delete("/bots/{bot_id}", guarded(this::delete))
                .get("/admin/dead-letters", guarded(this::deadLetters));
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal caller = Callers.of(req);
        if (!AccessPolicy.canManageBots(caller)) {
            throw ChatException.forbidden("only admins may manage bots");
        }
        JsonFields body = bodies.object(req);
        NewBot command = new NewBot(body.requiredString("name"), body.requiredString("llm_base_url"),
                body.requiredString("llm_api_key_env"), body.requiredString("model"), body.optionalString("provider"),
                body.optionalInt("max_context"), body.optionalNumber("temperature"), body.optionalInt("max_tokens"));
        HttpAnswers.json(req, res, 201, RestShapes.bot(useCases.manageBots().create(caller, command)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        ArrayNode bots = WireJson.object().arrayNode();
        for (Bot bot : useCases.manageBots().list(Callers.of(req))) {
            bots.add(RestShapes.bot(bot));
        }
        ObjectNode body = WireJson.object();
        body.set("bots", bots);
        HttpAnswers.json(req, res, 200, body);
    }

    private void get(ServerRequest req, ServerResponse res) {
        HttpAnswers.json(req, res, 200, RestShapes.bot(useCases.manageBots().get(Callers.of(req), botId(req))));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        useCases.manageBots().delete(Callers.of(req), botId(req));
        HttpAnswers.noContent(res);
    }

    private void deadLetters(ServerRequest req, ServerResponse res) {
        int limit = QueryNumbers.limit(req.query().first("limit").orElse(null), DEFAULT_DEAD_LETTERS, MAX_DEAD_LETTERS);
        ArrayNode letters = WireJson.object().arrayNode();
        for (DeadLetter letter : useCases.admin().deadLetters(Callers.of(req), limit)) {
            letters.add(RestShapes.deadLetter(letter));
        }
        ObjectNode body = WireJson.object();
        body.set("failed_messages", letters);
        HttpAnswers.json(req, res, 200, body);
    }

    private static String botId(ServerRequest req) {
        return PathIds.segment(req, 1);
    }
}
