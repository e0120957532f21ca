package io.chatapi.domain;

import java.time.Instant;
import java.util.Objects;

/** A room; {@code name} and {@code metadata} are null when empty. */
public record Room(String id, RoomType type, String name, String metadata, long lastSeq, Instant createdAt,
                   Handoff handoff) {
    public Room {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(handoff, "handoff");
    }

    public Room withHandoff(Handoff next) {
        return new Room(id, type, name, metadata, lastSeq, createdAt, next);
    }

    /** The room once a message with {@code seq} is stored in it. */
    public Room withStored(long seq) {
        return new Room(id, type, name, metadata, Math.max(lastSeq, seq), createdAt, handoff);
    }
}
