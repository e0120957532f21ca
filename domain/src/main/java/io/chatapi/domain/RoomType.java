package io.chatapi.domain;

import java.util.Optional;

/** Direct message between two people, or a group. */
public enum RoomType {
    DM("dm"), GROUP("group");

    private final String wire;

    RoomType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<RoomType> parse(String value) {
        for (RoomType type : values()) {
            if (type.wire.equals(value)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
