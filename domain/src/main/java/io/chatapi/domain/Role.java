package io.chatapi.domain;

/** The role a token grants, taken from its {@code role} claim. */
public enum Role {
    ADMIN, AGENT, USER;

    /** Maps a claim value: {@code admin}, {@code agent}, anything else is a plain user. */
    public static Role fromClaim(String claim) {
        if ("admin".equals(claim)) {
            return ADMIN;
        }
        if ("agent".equals(claim)) {
            return AGENT;
        }
        return USER;
    }
}
