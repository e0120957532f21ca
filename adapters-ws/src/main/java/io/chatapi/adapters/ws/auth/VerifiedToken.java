package io.chatapi.adapters.ws.auth;

import io.chatapi.domain.Principal;
import java.time.Instant;
import java.util.Optional;

/** A token that passed every check: who it names, and when it expires (empty when it has no {@code exp}). */
public record VerifiedToken(Principal principal, Optional<Instant> expiresAt) {
}
