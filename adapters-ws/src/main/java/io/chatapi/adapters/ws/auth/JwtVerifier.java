package io.chatapi.adapters.ws.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import io.chatapi.adapters.ws.json.WireJson;
import io.chatapi.domain.Principal;
import io.chatapi.domain.WhiteSpace;
import io.chatapi.domain.Role;
import java.text.ParseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies HS256 tokens (every other algorithm, {@code none} included, is refused): signature, {@code exp} and
 * {@code nbf} with leeway, optional issuer and audience, and a {@code sub} that is a non-empty, well-formed string
 * other than the reserved {@code system}. Thread-safe.
 */
public final class JwtVerifier {
    /** HMAC pads keys shorter than its block with zero bytes, so padding to the 256 bits Nimbus demands is exact. */
    private static final int MIN_KEY_BYTES = 32;
    /**
     * The largest time claim read, in seconds: the end of year 9999. Nimbus turns seconds into milliseconds in a
     * long, so a larger {@code nbf} or {@code exp} would wrap around and be taken for a time long past.
     */
    private static final long MAX_TIME_SECONDS = 253_402_300_799L;
    private static final List<String> TIME_CLAIMS = List.of("exp", "nbf", "iat");

    private final MACVerifier signature;
    private final DefaultJWTClaimsVerifier<SecurityContext> claims;
    private final boolean requireExp;

    public JwtVerifier(byte[] secret, Duration leeway, boolean requireExp, String issuer, String audience) {
        byte[] key = secret.length >= MIN_KEY_BYTES ? secret.clone() : Arrays.copyOf(secret, MIN_KEY_BYTES);
        try {
            this.signature = new MACVerifier(key);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable JWT secret", e);
        }
        this.requireExp = requireExp;
        Set<String> required = new HashSet<>(Set.of("sub"));
        if (requireExp) {
            required.add("exp");
        }
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (issuer != null && !issuer.isEmpty()) {
            exact.issuer(issuer);
        }
        Set<String> audiences = audience == null || audience.isEmpty() ? null : Set.of(audience);
        this.claims = new DefaultJWTClaimsVerifier<>(audiences, exact.build(), required, null);
        // whole seconds only (the library's unit): a fraction of a second counts as a whole one
        long seconds = leeway.isNegative() ? 0 : leeway.plusNanos(999_999_999).toSeconds();
        this.claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, seconds));
    }

    public VerifiedToken verify(String token) throws InvalidTokenException {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException("empty token");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
                throw new InvalidTokenException("algorithm not allowed");
            }
            if (!jwt.verify(signature)) {
                throw new InvalidTokenException("bad signature");
            }
            if (WireJson.utf8(jwt.getPayload().toBytes()).isEmpty()) {
                // Nimbus decodes it leniently: "z\xff" and "z\xfe" would both be the user "z\ufffd"
                throw new InvalidTokenException("payload is not UTF-8");
            }
            Map<String, Object> payload = jwt.getPayload().toJSONObject(); // parsed once, for both uses below
            if (payload == null) {
                throw new InvalidTokenException("malformed token");
            }
            for (String claim : TIME_CLAIMS) {
                if (payload.get(claim) instanceof Number time && !(Math.abs(time.doubleValue()) <= MAX_TIME_SECONDS)) {
                    throw new InvalidTokenException(claim + " lies beyond the year 9999");
                }
            }
            JWTClaimsSet set = JWTClaimsSet.parse(payload);
            claims.verify(set, null);
            Object sub = payload.get("sub"); // raw: Nimbus would turn a number into text
            if (!(sub instanceof String userId) || WhiteSpace.only(userId)) {
                throw new InvalidTokenException("sub must be a string that is not only white space");
            }
            if (userId.length() > Principal.MAX_USER_ID_CHARS) {
                throw new InvalidTokenException("sub is longer than " + Principal.MAX_USER_ID_CHARS
                        + " UTF-16 code units");
            }
            if (!WireJson.wellFormed(userId)) {
                throw new InvalidTokenException("sub holds an unpaired surrogate");
            }
            if (Principal.reservedId(userId)) {
                throw new InvalidTokenException("sub is reserved");
            }
            Object role = set.getClaim("role");
            Principal principal = new Principal(userId, Role.fromClaim(role instanceof String s ? s : null));
            Date exp = set.getExpirationTime();
            if (requireExp && exp == null) {
                // the library's check asks only whether the claim is there: "exp": null passed it
                throw new InvalidTokenException("exp must be a time");
            }
            return new VerifiedToken(principal, Optional.ofNullable(exp).map(Date::toInstant));
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token");
        } catch (BadJWTException e) {
            throw new InvalidTokenException("claims refused: " + e.getMessage());
        } catch (JOSEException | RuntimeException e) {
            throw new InvalidTokenException("token could not be verified");
        }
    }
}
