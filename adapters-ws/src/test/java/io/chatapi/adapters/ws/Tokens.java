package io.chatapi.adapters.ws;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/** Mints test tokens with the shared test secret. */
final class Tokens {
    static final String SECRET = "a-test-secret-of-more-than-thirty-two-bytes";

    private Tokens() {
    }

    static String user(String sub) {
        return sign(claims(sub).build());
    }

    static String admin(String sub) {
        return sign(claims(sub).claim("role", "admin").build());
    }

    static String expiringIn(String sub, Duration d) {
        return sign(claims(sub).expirationTime(Date.from(Instant.now().plus(d))).build());
    }

    static JWTClaimsSet.Builder claims(String sub) {
        return new JWTClaimsSet.Builder().subject(sub).expirationTime(Date.from(Instant.now().plusSeconds(3600)));
    }

    static String sign(JWTClaimsSet claims) {
        return sign(claims, JWSAlgorithm.HS256, SECRET.getBytes(StandardCharsets.UTF_8));
    }

    static String sign(JWTClaimsSet claims, JWSAlgorithm alg, byte[] secret) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsecured token ({@code alg: none}) claiming {@code sub}. */
    static String none(String sub) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(claims(sub).build().toString().getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }
}
