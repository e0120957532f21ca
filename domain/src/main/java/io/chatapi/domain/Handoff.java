package io.chatapi.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * The handoff state of a room. {@code agentId}, {@code reason} and {@code by} are null when absent.
 */
public record Handoff(HandoffState state, String agentId, String reason, String by, Instant since) {
    public Handoff {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
    }

    /** The state of a new room: its bots answer. */
    public static Handoff initial(Instant since) {
        return new Handoff(HandoffState.BOT, null, null, null, since);
    }

    public boolean human() {
        return state == HandoffState.HUMAN;
    }
}
