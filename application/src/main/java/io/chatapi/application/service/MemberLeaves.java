package io.chatapi.application.service;

/** Told when a member leaves a room or is removed from it, once the store has removed them. */
@FunctionalInterface
public interface MemberLeaves {
    void memberLeft(String roomId, String userId);
}
