package io.chatapi.adapters.webhook;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.chatapi.application.port.out.BotContextReply;
import io.chatapi.application.port.out.BotContextRequest;
import io.chatapi.application.port.out.ChatTurn;
import io.chatapi.application.port.out.SharedBody;
import io.chatapi.application.port.out.WebhookBody;
import io.chatapi.application.port.out.WebhookEvent;
import io.chatapi.application.port.out.WebhookException;
import io.chatapi.domain.Handoff;
import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import io.chatapi.domain.Utf16;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The JSON bodies of webhook requests and the parsing of {@code bot.context} answers. Thread-safe. */
final class WebhookJson {
    private static final System.Logger LOG = System.getLogger(WebhookJson.class.getName());
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    String encode(WebhookEvent event) {
        ObjectNode root = switch (event) {
            case WebhookEvent.MessageOffline offline -> messageOffline(offline);
            case WebhookEvent.RoomHandoff handoff -> roomHandoff(handoff.roomId(), handoff.handoff());
        };
        return write(root);
    }

    /**
     * The {@code message.offline} bodies of one message for each recipient, sharing everything but the recipient's
     * id: where the bodies for an empty id and for another first differ is inside that id's JSON string, so the
     * shared head ends just after its opening quote, the tail starts with its closing quote, and each body's own
     * part is its recipient's id escaped as the encoder escapes a string. Should the body ever hold the id more
     * than once, every body is whole instead.
     */
    List<WebhookBody> encodeOffline(Room room, List<String> recipients, Message message) {
        String blank = encode(new WebhookEvent.MessageOffline(room, "", message));
        String probe = encode(new WebhookEvent.MessageOffline(room, "x", message));
        int at = firstDifference(blank, probe);
        SharedBody shared = new SharedBody(blank.substring(0, at), blank.substring(at));
        List<WebhookBody> bodies = new ArrayList<>(recipients.size());
        boolean once = probe.equals(shared.head() + "x" + shared.tail()); // the recipient's id is in the body once
        for (String recipient : recipients) {
            if (!once) {
                bodies.add(WebhookBody.whole(encode(new WebhookEvent.MessageOffline(room, recipient, message))));
                continue;
            }
            String quoted = write(TextNode.valueOf(recipient));
            bodies.add(new WebhookBody(shared, quoted.substring(1, quoted.length() - 1)));
        }
        return bodies;
    }

    private static int firstDifference(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    String botContext(BotContextRequest request) {
        ObjectNode root = mapper.createObjectNode();
        root.put("type", "bot.context");
        root.put("bot_id", request.botId());
        root.put("room_id", request.roomId());
        Message trigger = request.trigger();
        ObjectNode message = root.putObject("message");
        message.put("message_id", trigger.id());
        message.put("sender_id", trigger.senderId());
        message.put("content", trigger.content());
        message.put("created_at", timestamp(trigger.createdAt()));
        ArrayNode history = root.putArray("history");
        for (ChatTurn turn : request.history()) {
            history.addObject().put("role", turn.role()).put("content", turn.content());
        }
        return write(root);
    }

    /**
     * Reads a {@code bot.context} answer. Only a body that is not a JSON object fails; within an object the bot
     * is silenced only by {@code "skip":true}, and a mistyped field is ignored with one warning line: a
     * {@code system_prompt} that is not a string means no system message, a {@code handoff} that is not an
     * object means skipping without a handoff, and {@code handoff} is ignored when the bot is not skipping.
     */
    BotContextReply parseBotContextReply(String botId, byte[] body) throws WebhookException {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (IOException e) {
            throw new WebhookException("the bot.context answer is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new WebhookException("the bot.context answer is not a JSON object");
        }
        JsonNode skipNode = root.get("skip");
        if (present(skipNode) && !skipNode.isBoolean()) {
            ignored(botId, "skip", "a boolean");
        }
        boolean skip = skipNode != null && skipNode.isBoolean() && skipNode.booleanValue();
        String systemPrompt = text(botId, root.get("system_prompt"), "system_prompt");
        if (!skip) {
            return new BotContextReply(systemPrompt, false, false, null);
        }
        JsonNode handoff = root.get("handoff");
        if (present(handoff) && !handoff.isObject()) {
            ignored(botId, "handoff", "an object");
        }
        boolean handedOff = handoff != null && handoff.isObject();
        String reason = handedOff ? text(botId, handoff.get("reason"), "handoff.reason") : null;
        return new BotContextReply(systemPrompt, true, handedOff, reason);
    }

    private ObjectNode messageOffline(WebhookEvent.MessageOffline event) {
        Room room = event.room();
        Message msg = event.message();
        ObjectNode root = mapper.createObjectNode();
        root.put("type", "message.offline");
        root.put("room_id", room.id());
        root.put("recipient_id", event.recipientId());
        String metadata = room.metadata();
        if (metadata != null && !metadata.isEmpty()) {
            putMetadata(root, metadata);
        }
        ObjectNode message = root.putObject("message");
        message.put("message_id", msg.id());
        message.put("sender_id", msg.senderId());
        message.put("content", msg.content());
        message.put("seq", msg.seq());
        message.put("created_at", timestamp(msg.createdAt()));
        return root;
    }

    private ObjectNode roomHandoff(String roomId, Handoff handoff) {
        ObjectNode root = mapper.createObjectNode();
        root.put("type", "room.handoff");
        root.put("room_id", roomId);
        root.put("state", handoff.state().wire());
        putIfPresent(root, "agent_id", handoff.agentId());
        putIfPresent(root, "reason", handoff.reason());
        putIfPresent(root, "by", handoff.by());
        root.put("since", timestamp(handoff.since()));
        return root;
    }

    /**
     * The metadata, as written, when it is exactly one JSON value (numbers, key order and duplicate keys as the
     * application wrote them, at any depth the parser accepts), else as a string. Never fails: an unpaired
     * surrogate, which no JSON text can carry, is sent as U+FFFD; JSON text that escapes one (a backslash, then
     * {@code ud800}) is sent as a string, which strict parsers read, where they would refuse the whole body.
     */
    private void putMetadata(ObjectNode root, String metadata) {
        String text = Utf16.wellFormed(metadata);
        if (isOneJsonValue(text)) {
            root.putRawValue("room_metadata", new RawValue(text.strip()));
        } else {
            root.put("room_metadata", text);
        }
    }

    private boolean isOneJsonValue(String text) {
        try (JsonParser parser = mapper.getFactory().createParser(text)) {
            int depth = 0;
            do {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    return false;
                }
                if (token == JsonToken.VALUE_STRING || token == JsonToken.FIELD_NAME) {
                    String value = parser.getText();
                    if (Utf16.wellFormed(value) != value) {
                        return false;
                    }
                }
                depth += token.isStructStart() ? 1 : token.isStructEnd() ? -1 : 0;
            } while (depth > 0);
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    /** The string value, or null when absent, empty or not a string (the latter with a warning). */
    private static String text(String botId, JsonNode node, String field) {
        if (!present(node)) {
            return null;
        }
        if (!node.isTextual()) {
            ignored(botId, field, "a string");
            return null;
        }
        String value = node.textValue();
        return value.isEmpty() ? null : value;
    }

    private static void ignored(String botId, String field, String wanted) {
        LOG.log(System.Logger.Level.WARNING, "bot {0}: the bot.context answer has a {1} that is not {2}; ignored",
                botId, field, wanted);
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static String timestamp(Instant instant) {
        return instant.toString();
    }

    private String write(JsonNode root) {
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
