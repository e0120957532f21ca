package io.chatapi.bootstrap.e2e;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

/** Mints HS256 tokens the way an application backend would. */
final class Tokens {
    static final String SECRET = "e2e-secret-that-is-long-enough-for-hs256-0123456789";

    private Tokens() {
    }

    static String user(String sub) {
        return token(sub, null, null);
    }

    static String admin(String sub) {
        return token(sub, "admin", null);
    }

    static String agent(String sub) {
        return token(sub, "agent", null);
    }

    static String token(String sub, String role, Instant exp) {
        var claims = new JWTClaimsSet.Builder().subject(sub);
        if (role != null) {
            claims.claim("role", role);
        }
        if (exp != null) {
            claims.expirationTime(Date.from(exp));
        }
        try {
            var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
