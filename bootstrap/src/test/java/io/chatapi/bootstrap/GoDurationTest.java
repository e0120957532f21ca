package io.chatapi.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {
    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "+0, 0",
            "-0, 0",
            "500ms, 500000000",
            "30s, 30000000000",
            "5m, 300000000000",
            "1h, 3600000000000",
            "1m30s, 90000000000",
            "1.5s, 1500000000",
            ".5s, 500000000",
            "1.s, 1000000000",
            "+5s, 5000000000",
            "-1.5h, -5400000000000",
            "1h2m3s4ms5us6ns, 3723004005006",
            "2\u00b5s, 2000",
            "2\u03bcs, 2000",
            "1.5ns, 1",
            "0.1ns, 0",
            "0s, 0",
            "1s1s, 2000000000",
            "2562047h47m16.854775807s, 9223372036854775807",
    })
    void parsesGoSyntax(String text, long nanos) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "+", "abc", "5", "0.0", "00", "5 s", " 5s", "5s ", "s", ".s", "1.2.3s", "5sec",
            "5S", "1e3s", "5d", "1h-5m", "2562047h47m16.854775808s", "99999999999999999999h", "--5s", "5s5"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsNanosecondPrecision() {
        assertThat(GoDuration.parse("1.000000001s")).isEqualTo(Duration.ofSeconds(1, 1));
    }
}
