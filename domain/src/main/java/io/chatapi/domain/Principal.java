package io.chatapi.domain;

import java.util.Objects;

/** An authenticated caller: a user id and the role its token grants. */
public record Principal(String userId, Role role) {
    /** The reserved sender id of server-written messages. */
    public static final String SYSTEM = "system";

    public Principal {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(role, "role");
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    public boolean isAgent() {
        return role == Role.AGENT;
    }
}
