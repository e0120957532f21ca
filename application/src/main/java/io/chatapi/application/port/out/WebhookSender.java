package io.chatapi.application.port.out;

import io.chatapi.domain.Message;
import io.chatapi.domain.Room;
import java.util.List;

/**
 * Talks to the application's webhook: encodes bodies, signs and POSTs them. Blocking (call it from a
 * thread that may wait up to the webhook time-out). Thread-safe.
 */
public interface WebhookSender {
    /** False when no webhook is configured: nothing is queued or sent. */
    boolean enabled();

    /** The exact JSON body for an event. */
    String encode(WebhookEvent event);

    /**
     * The {@code message.offline} bodies of {@code message} for each of {@code recipients}, in their order: the text
     * of each is exactly what {@link #encode} gives for that recipient. An adapter shares one {@link SharedBody}
     * (the room's metadata and the message) among them; this default shares nothing.
     */
    default List<WebhookBody> encodeOffline(Room room, List<String> recipients, Message message) {
        return recipients.stream()
                .map(recipient -> WebhookBody.whole(encode(new WebhookEvent.MessageOffline(room, recipient, message))))
                .toList();
    }

    /** POSTs a body with a stable id (the same on every retry); returns normally on a 2xx answer. */
    void deliver(String webhookId, String body) throws WebhookException;

    /**
     * Asks the application for a bot's system prompt. When {@code cancellation} fires (the reply was superseded or
     * cancelled) the exchange is aborted and the call fails at once, so the reply does not hold a reply slot
     * until the webhook answers or times out.
     */
    BotContextReply botContext(BotContextRequest request, Cancellation cancellation) throws WebhookException;
}
