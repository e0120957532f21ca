package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void readsSpaceAndEqualsFormsAndFlags() {
        BenchOptions o = BenchOptions.parse("persist", "--senders", "8,16", "--duration=3s", "--smoke");
        assertThat(o.scenario()).isEqualTo("persist");
        assertThat(o.smoke()).isTrue();
        assertThat(o.quick()).isFalse();
        assertThat(o.integers("senders", List.of(64), List.of(4))).containsExactly(8, 16);
        assertThat(o.duration("duration", Duration.ofSeconds(10), Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void defaultsDependOnSmoke() {
        BenchOptions normal = BenchOptions.parse("fanout");
        BenchOptions smoke = BenchOptions.parse("fanout", "--smoke");
        assertThat(normal.integers("members", List.of(100, 1000), List.of(5))).containsExactly(100, 1000);
        assertThat(smoke.integers("members", List.of(100, 1000), List.of(5))).containsExactly(5);
        assertThat(normal.integer("runs", 10, 1)).isEqualTo(10);
        assertThat(smoke.integer("runs", 10, 1)).isEqualTo(1);
        assertThat(normal.decimal("rate", 20, 5)).isEqualTo(20.0);
    }

    @Test
    void parsesDurations() {
        assertThat(BenchOptions.parseDuration("x", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(BenchOptions.parseDuration("x", "2.5s")).isEqualTo(Duration.ofMillis(2500));
        assertThat(BenchOptions.parseDuration("x", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(BenchOptions.parseDuration("x", "7")).isEqualTo(Duration.ofSeconds(7));
        assertThatThrownBy(() -> BenchOptions.parseDuration("hold", "soon"))
                .isInstanceOf(BenchException.class).hasMessageContaining("--hold");
    }

    @Test
    void refusesMalformedCommandLines() {
        assertThatThrownBy(BenchOptions::parse).hasMessageContaining("no scenario");
        assertThatThrownBy(() -> BenchOptions.parse("--smoke")).hasMessageContaining("scenario");
        assertThatThrownBy(() -> BenchOptions.parse("persist", "--senders")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> BenchOptions.parse("persist", "stray")).hasMessageContaining("unexpected argument");
        assertThatThrownBy(() -> BenchOptions.parse("persist", "--rate=1", "--rate=2")).hasMessageContaining("twice");
        BenchOptions bad = BenchOptions.parse("persist", "--senders", "8,zero", "--runs", "-1", "--rate", "0");
        assertThatThrownBy(() -> bad.integers("senders", List.of(), List.of())).hasMessageContaining("--senders");
        assertThatThrownBy(() -> bad.integer("runs", 1, 1)).hasMessageContaining("--runs");
        assertThatThrownBy(() -> bad.decimal("rate", 1, 1)).hasMessageContaining("--rate");
    }

    @Test
    void scenariosAcceptOnlyTheirOptions() {
        assertThat(Bench.choose(BenchOptions.parse("all", "--smoke"))).hasSize(8);
        assertThat(Bench.choose(BenchOptions.parse("startup", "--runs", "3", "--jar", "x.jar"))).hasSize(1);
        assertThatThrownBy(() -> Bench.choose(BenchOptions.parse("startup", "--senders", "3")))
                .hasMessageContaining("unknown option --senders for startup");
        assertThatThrownBy(() -> Bench.choose(BenchOptions.parse("nope"))).hasMessageContaining("unknown scenario nope");
    }

    @Test
    void commandLineErrorsExitWithTwoAndHelpWithZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Bench.run(new String[] {"persist", "--bogus", "1"}, o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --bogus");
        assertThat(Bench.run(new String[] {"--help"}, o, e)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("persist", "fanout", "idle", "storm", "relay", "startup", "away");
    }
}
