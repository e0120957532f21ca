package io.chatapi.adapters.ws.auth;

import java.util.Set;

/**
 * Which browser origins may call: {@code *} allows every origin, an empty set allows none; a request without an
 * {@code Origin} header is not a browser cross-origin request and is always allowed.
 */
public final class OriginPolicy {
    private final Set<String> allowed;
    private final boolean any;

    public OriginPolicy(Set<String> allowed) {
        this.allowed = Set.copyOf(allowed);
        this.any = allowed.contains("*");
    }

    /** True when a request carrying this {@code Origin} value (null when absent) may proceed. */
    public boolean allows(String origin) {
        return origin == null || any || allowed.contains(origin);
    }

    /** True when every origin is allowed. */
    public boolean allowsAny() {
        return any;
    }
}
