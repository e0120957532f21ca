package io.chatapi.domain;

import java.util.Optional;

/** Who answers a room: its bots, or a human agent. */
public enum HandoffState {
    BOT("bot"), HUMAN("human");

    private final String wire;

    HandoffState(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<HandoffState> parse(String value) {
        for (HandoffState state : values()) {
            if (state.wire.equals(value)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
