package io.chatapi.domain;

/** Why someone is in a room; informational only, authorization never reads it. */
public enum MemberRole {
    MEMBER("member"), BOT("bot"), AGENT("agent");

    private final String wire;

    MemberRole(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static MemberRole parse(String value) {
        for (MemberRole role : values()) {
            if (role.wire.equals(value)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown member role " + value);
    }
}
