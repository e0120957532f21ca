package io.chatapi.domain;

import java.util.Objects;

/** An authenticated caller: a user id and the role its token grants. */
public record Principal(String userId, Role role) {
    /** The reserved sender id of server-written messages. */
    public static final String SYSTEM = "system";
    /** How every bot id begins; no token may take such an id, and with it a bot's rooms and voice. */
    public static final String BOT_ID_PREFIX = "bot_";
    /**
     * The longest user id, in UTF-16 code units: a token's {@code sub}, a member, an agent. Ids travel with every
     * message and event, so one of a megabyte would be copied into each.
     */
    public static final int MAX_USER_ID_CHARS = 1_000;

    public Principal {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(role, "role");
    }

    /**
     * True for ids the server hands out itself: {@link #SYSTEM} and bot ids, those of deleted bots too (their
     * messages stay in the history under that id).
     */
    public static boolean reservedId(String userId) {
        return SYSTEM.equals(userId) || userId.startsWith(BOT_ID_PREFIX);
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    public boolean isAgent() {
        return role == Role.AGENT;
    }
}
