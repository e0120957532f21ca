package io.chatapi.domain;

import java.time.Instant;

/** A user's (or bot's) membership of a room. */
public record Member(String roomId, String userId, MemberRole role, Instant joinedAt) {
}
