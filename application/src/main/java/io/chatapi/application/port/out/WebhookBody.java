package io.chatapi.application.port.out;

import java.util.Objects;

/** A webhook body: the exact JSON to POST is {@link #text()}, the shared head, this body's own part, the tail. */
public record WebhookBody(SharedBody shared, String own) {
    public WebhookBody {
        Objects.requireNonNull(shared, "shared");
        Objects.requireNonNull(own, "own");
    }

    /** A body that shares nothing. */
    public static WebhookBody whole(String text) {
        return new WebhookBody(SharedBody.NONE, text);
    }

    /** The exact JSON to POST. */
    public String text() {
        return shared.head() + own + shared.tail();
    }
}
