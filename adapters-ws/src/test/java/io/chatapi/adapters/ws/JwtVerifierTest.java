package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import io.chatapi.adapters.ws.auth.InvalidTokenException;
import io.chatapi.adapters.ws.auth.JwtVerifier;
import io.chatapi.adapters.ws.auth.VerifiedToken;
import io.chatapi.domain.Role;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;

class JwtVerifierTest {
    private static final byte[] SECRET = Tokens.SECRET.getBytes(StandardCharsets.UTF_8);
    private final JwtVerifier verifier = new JwtVerifier(SECRET, Duration.ofSeconds(30), false, null, null);

    @Test
    void acceptsAnHs256TokenAndReadsSubRoleAndExpiry() throws Exception {
        Instant exp = Instant.now().plusSeconds(600);
        VerifiedToken token = verifier.verify(Tokens.sign(new JWTClaimsSet.Builder().subject("alice")
                .claim("role", "agent").expirationTime(Date.from(exp)).build()));
        assertThat(token.principal().userId()).isEqualTo("alice");
        assertThat(token.principal().role()).isEqualTo(Role.AGENT);
        assertThat(token.expiresAt()).contains(Instant.ofEpochSecond(exp.getEpochSecond()));
        assertThat(verifier.verify(Tokens.admin("root")).principal().role()).isEqualTo(Role.ADMIN);
        assertThat(verifier.verify(Tokens.sign(new JWTClaimsSet.Builder().subject("bob").claim("role", 7).build()))
                .principal().role()).isEqualTo(Role.USER);
    }

    @Test
    void aSubOfCharactersThatAreNotWhiteSpaceIsAUserIdHoweverOdd() throws Exception {
        assertThat(verifier.verify(Tokens.user("\u001c")).principal().userId()).isEqualTo("\u001c");
        assertThat(verifier.verify(Tokens.user(" a ")).principal().userId()).isEqualTo(" a ");
    }

    @Test
    void aLeewayWithAFractionOfASecondCountsAsTheWholeSecond() throws Exception {
        JwtVerifier halfSecond = new JwtVerifier(SECRET, Duration.ofMillis(500), false, null, null);
        // exp at the start of this second: under a second ago, so inside a leeway of one whole second
        String justExpired = Tokens.sign(new JWTClaimsSet.Builder().subject("alice")
                .expirationTime(Date.from(Instant.ofEpochSecond(Instant.now().getEpochSecond()))).build());
        assertThat(halfSecond.verify(justExpired).principal().userId()).isEqualTo("alice");
        String longExpired = Tokens.sign(new JWTClaimsSet.Builder().subject("alice")
                .expirationTime(Date.from(Instant.now().minusSeconds(5))).build());
        assertThatThrownBy(() -> halfSecond.verify(longExpired)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void refusesOtherAlgorithmsUnsignedTokensAndWrongKeys() {
        String hs512 = Tokens.sign(Tokens.claims("alice").build(), JWSAlgorithm.HS512, new byte[64]);
        assertRefused(hs512);
        assertRefused(Tokens.none("alice"));
        assertRefused(Tokens.sign(Tokens.claims("alice").build(), JWSAlgorithm.HS256, new byte[32]));
        assertRefused("not.a.jwt");
        assertRefused("");
    }

    @Test
    void refusesBadSubjects() {
        assertRefused(Tokens.user("system"));
        assertRefused(Tokens.user("bot_01jd8v3x4k2m9qz7w5t6y8r0hp"));
        assertRefused(Tokens.user("bot_"));
        assertRefused(Tokens.user(" "));
        assertRefused(Tokens.user("\u00a0\t\u2028"));
        assertRefused(Tokens.sign(new JWTClaimsSet.Builder().claim("x", 1).build()));
        assertRefused(Tokens.sign(new JWTClaimsSet.Builder().claim("sub", "").build()));
        assertRefused(Tokens.sign(new JWTClaimsSet.Builder().claim("sub", 42).build()));
    }

    @Test
    void refusesASubWithAnUnpairedSurrogateAndKeepsPairs() throws Exception {
        for (String sub : new String[] {"\\ud800", "a\\udfff", "\\ude00\\ud83d"}) {
            assertThatThrownBy(() -> verifier.verify(raw("{\"sub\":\"" + sub + "\"}")))
                    .as(sub).isInstanceOf(InvalidTokenException.class);
        }
        assertThat(verifier.verify(raw("{\"sub\":\"\\ud83d\\ude00\"}")).principal().userId())
                .isEqualTo("\ud83d\ude00");
    }

    @Test
    void refusesAPayloadThatIsNotUtf8RatherThanReadingItsBadBytesAsReplacementCharacters() throws Exception {
        for (byte bad : new byte[] {(byte) 0xff, (byte) 0xfe}) {
            byte[] payload = "{\"sub\":\"z?\"}".getBytes(StandardCharsets.US_ASCII);
            payload[payload.length - 3] = bad;
            JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
            jws.sign(new MACSigner(SECRET));
            assertThatThrownBy(() -> verifier.verify(jws.serialize())).as("z\\x%02x", bad)
                    .isInstanceOf(InvalidTokenException.class);
        }
        assertThat(verifier.verify(raw("{\"sub\":\"z\ufffd\"}")).principal().userId()).isEqualTo("z\ufffd");
    }

    private static String raw(String payload) throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
        jws.sign(new MACSigner(SECRET));
        return jws.serialize();
    }

    @Test
    void refusesASignedPayloadThatIsNotAClaimsObject() throws Exception {
        for (String payload : new String[] {"not json", "[1,2]", "{\"sub\":", "42"}) {
            JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
            jws.sign(new MACSigner(SECRET));
            assertThatThrownBy(() -> verifier.verify(jws.serialize())).isInstanceOf(InvalidTokenException.class)
                    .hasMessage("malformed token");
        }
    }

    @Test
    void honoursExpiryAndNotBeforeWithLeeway() throws Exception {
        assertRefused(Tokens.expiringIn("alice", Duration.ofSeconds(-120)));
        assertThat(verifier.verify(Tokens.expiringIn("alice", Duration.ofSeconds(-10))).principal().userId())
                .isEqualTo("alice");
        assertRefused(Tokens.sign(Tokens.claims("alice").notBeforeTime(Date.from(Instant.now().plusSeconds(120))).build()));
        JwtVerifier strict = new JwtVerifier(SECRET, Duration.ZERO, true, null, null);
        assertThatThrownBy(() -> strict.verify(Tokens.sign(new JWTClaimsSet.Builder().subject("a").build())))
                .isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> strict.verify(Tokens.expiringIn("a", Duration.ofSeconds(-1))))
                .isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> strict.verify(raw("{\"sub\":\"a\",\"exp\":null}"))).as("exp present but no time")
                .isInstanceOf(InvalidTokenException.class);
        assertThat(verifier.verify(raw("{\"sub\":\"a\",\"exp\":null}")).expiresAt()).as("not required: none")
                .isEmpty();
    }

    @Test
    void timeClaimsBeyondTheYear9999AreRefusedRatherThanWrappedAround() throws Exception {
        for (String claim : new String[] {"\"nbf\":1e16", "\"nbf\":1e300", "\"exp\":9223372036854775807",
                "\"exp\":1e16", "\"iat\":-1e17"}) {
            assertThatThrownBy(() -> verifier.verify(raw("{\"sub\":\"a\"," + claim + "}"))).as(claim)
                    .isInstanceOf(InvalidTokenException.class).hasMessageContaining("9999");
        }
        assertThat(verifier.verify(raw("{\"sub\":\"a\",\"exp\":253402300799}")).expiresAt())
                .contains(Instant.parse("9999-12-31T23:59:59Z"));
    }

    @Test
    void matchesIssuerAndAudienceWhenConfigured() throws Exception {
        JwtVerifier scoped = new JwtVerifier(SECRET, Duration.ZERO, false, "chat-app", "chatapi");
        String good = Tokens.sign(Tokens.claims("a").issuer("chat-app").audience("chatapi").build());
        assertThat(scoped.verify(good).principal().userId()).isEqualTo("a");
        assertThatThrownBy(() -> scoped.verify(Tokens.sign(Tokens.claims("a").issuer("other").audience("chatapi").build())))
                .isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> scoped.verify(Tokens.sign(Tokens.claims("a").issuer("chat-app").build())))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aShortSecretStillWorksWithTheExactHmac() throws Exception {
        byte[] shortSecret = "short".getBytes(StandardCharsets.UTF_8);
        JwtVerifier weak = new JwtVerifier(shortSecret, Duration.ZERO, false, null, null);
        String token = Tokens.sign(Tokens.claims("a").build(), JWSAlgorithm.HS256,
                java.util.Arrays.copyOf(shortSecret, 32));
        assertThat(weak.verify(token).principal().userId()).isEqualTo("a");
        assertThatThrownBy(() -> weak.verify(Tokens.user("a"))).isInstanceOf(InvalidTokenException.class);
    }

    private void assertRefused(String token) {
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(InvalidTokenException.class);
    }
}
