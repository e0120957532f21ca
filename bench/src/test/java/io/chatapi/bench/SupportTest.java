package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tokens, backoff, room shapes, process figures and the table layout. */
class SupportTest {

    @Test
    void tokensAreHs256WithSubjectRoleAndExpiry() throws Exception {
        String secret = Tokens.randomSecret();
        Tokens tokens = new Tokens(secret);
        SignedJWT admin = SignedJWT.parse(tokens.admin("boss"));
        assertThat(admin.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(admin.verify(new MACVerifier(secret.getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(admin.getJWTClaimsSet().getSubject()).isEqualTo("boss");
        assertThat(admin.getJWTClaimsSet().getStringClaim("role")).isEqualTo("admin");
        assertThat(admin.getJWTClaimsSet().getExpirationTime()).isInTheFuture();
        SignedJWT user = SignedJWT.parse(tokens.user("u1"));
        assertThat(user.getJWTClaimsSet().getClaim("role")).isNull();
        assertThatThrownBy(() -> new Tokens("short")).isInstanceOf(BenchException.class);
    }

    @Test
    void backoffStaysWithinItsGrowingCeilingAndTheCap() {
        Backoff backoff = new Backoff(100, 2_000);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(backoff.delayMillis(0, random)).isBetween(0L, 100L);
            assertThat(backoff.delayMillis(3, random)).isBetween(0L, 800L);
            assertThat(backoff.delayMillis(40, random)).isBetween(0L, 2_000L);
        }
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            max = Math.max(max, backoff.delayMillis(10, random));
        }
        assertThat(max).as("full jitter reaches near the cap").isGreaterThan(1_500);
        assertThatThrownBy(() -> new Backoff(0, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void usersArePairedAndSplitWithoutLosingAnyone() {
        List<String> five = Setup.users("u", 5);
        assertThat(Setup.pairs(five)).containsExactly(List.of("u0", "u1"), List.of("u2", "u3", "u4"));
        assertThat(Setup.pairs(Setup.users("u", 4))).hasSize(2);
        assertThat(Setup.chunks(five, 2)).containsExactly(List.of("u0", "u1"), List.of("u2", "u3"), List.of("u4"));
        List<List<String>> parts = Setup.split(Setup.users("u", 10), 3);
        assertThat(parts).hasSize(3);
        assertThat(parts.stream().mapToInt(List::size).sum()).isEqualTo(10);
        assertThat(parts.get(0)).startsWith("u0");
    }

    @Test
    void readsHeapFiguresFromJcmdOutput() {
        String g1 = """
                12345:
                 garbage-first heap   total reserved 8388608K, committed 264192K, used 15043K [0x0000000600000000, 0x0000000800000000)
                  region size 4096K, 4 young (16384K), 0 survivors (0K)
                 Metaspace       used 1234K, committed 1408K, reserved 1114112K
                """;
        assertThat(ProcessStats.parseHeapUsedKb(g1)).contains(15043L);
        String serial = """
                 def new generation   total 4928K, used 1000K [0x1, 0x2, 0x3)
                 tenured generation   total 10944K, used 2M [0x4, 0x5, 0x6)
                 Metaspace       used 500K
                """;
        assertThat(ProcessStats.parseHeapUsedKb(serial)).contains(1000L + 2048L);
        assertThat(ProcessStats.parseHeapUsedKb("no heap here")).isEmpty();
        assertThat(ProcessStats.rssKb(ProcessHandle.current().pid())).isPresent();
        assertThat(ProcessStats.rssKb(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void onlyLoopbackSourceAddressesAreAccepted() {
        assertThat(ClientPool.loopback("127.0.0.12").isLoopbackAddress()).isTrue();
        assertThatThrownBy(() -> ClientPool.loopback("10.0.0.1")).hasMessageContaining("127.0.0.0/8");
    }

    @Test
    void tablesAlignColumnsAndFormatNumbers() {
        Report report = new Report("persist", List.of("persist"), java.time.Instant.now());
        report.add(Measurement.of("persist").param("senders", 64).figure("acked_msgs_per_s", 20_123.4)
                .figure("ack_p99_ms", 3.14159).figure("missing", null).note("shape note").build());
        report.add(Measurement.of("persist").param("senders", 256).figure("acked_msgs_per_s", 1.5)
                .figure("ack_p99_ms", 12.0).figure("missing", null).note("shape note").build());
        String table = report.table();
        assertThat(table).contains("senders | acked_msgs_per_s | ack_p99_ms | missing")
                .contains("20,123").contains("3.142").contains("12.0")
                .contains("note (persist): shape note");
        assertThat(table.split("shape note", -1)).hasSize(2);
        assertThat(TextTable.format(1234567L)).isEqualTo("1,234,567");
        assertThat(TextTable.format(Double.NaN)).isEqualTo("-");
    }
}
