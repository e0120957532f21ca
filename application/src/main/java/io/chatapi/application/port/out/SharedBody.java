package io.chatapi.application.port.out;

import java.util.Objects;

/**
 * What the webhook bodies of one event for many recipients have in common: each body is the head, then what is
 * the recipient's own, then the tail. A store keeps it once for every body that uses it, so that a message to a
 * room of many members away does not store the room's metadata and the message once per member.
 */
public record SharedBody(String head, String tail) {
    /** Nothing shared: a body that is its own part alone. */
    public static final SharedBody NONE = new SharedBody("", "");

    public SharedBody {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(tail, "tail");
    }
}
