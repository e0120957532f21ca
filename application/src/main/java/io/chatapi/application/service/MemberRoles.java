package io.chatapi.application.service;

import io.chatapi.application.port.out.BotStore;
import io.chatapi.domain.ChatException;
import io.chatapi.domain.MemberRole;
import io.chatapi.domain.Principal;

/** The role a new member takes: a bot's id makes a bot member, any other id a person. */
final class MemberRoles {
    private MemberRoles() {
    }

    /**
     * The role of {@code userId}; {@code invalid_request} for an id that begins as bot ids do but names no bot:
     * no token may take such an id, so that member could never connect, and every message would be queued for it.
     */
    static MemberRole of(BotStore bots, String userId) {
        if (bots.find(userId).isPresent()) {
            return MemberRole.BOT;
        }
        if (Principal.reservedId(userId)) {
            throw ChatException.invalid("\"" + Principal.BOT_ID_PREFIX + "\" begins the ids of bots, and there is no "
                    + "such bot");
        }
        return MemberRole.MEMBER;
    }
}
