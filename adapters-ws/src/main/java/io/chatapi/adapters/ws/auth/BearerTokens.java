package io.chatapi.adapters.ws.auth;

import java.util.Optional;

/** Finds the bearer token of a request: the {@code Authorization} header, or the socket's {@code token} parameter. */
public final class BearerTokens {
    private static final String PREFIX = "bearer ";

    private BearerTokens() {
    }

    /** The socket's token: a non-empty {@code token} query parameter wins over the header (either may be null). */
    public static Optional<String> forSocket(String queryToken, String authorization) {
        if (queryToken != null && !queryToken.isEmpty()) {
            return Optional.of(queryToken);
        }
        return fromHeader(authorization);
    }

    /** The token of a {@code Bearer <token>} header (scheme case-insensitive), or empty. */
    public static Optional<String> fromHeader(String authorization) {
        if (authorization == null || authorization.length() <= PREFIX.length()
                || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Optional.empty();
        }
        String token = authorization.substring(PREFIX.length()).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
}
