package io.chatapi.application.port.in;

import io.chatapi.domain.Principal;

/** Adds and removes room members; adding a bot's id makes the bot a member with role {@code bot}. */
public interface MembershipUseCase {
    void addMember(Principal caller, String roomId, String userId);

    void removeMember(Principal caller, String roomId, String userId);
}
