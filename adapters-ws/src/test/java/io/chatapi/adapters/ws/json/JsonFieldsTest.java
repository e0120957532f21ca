package io.chatapi.adapters.ws.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chatapi.domain.ChatException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonFieldsTest {
    @Test
    void aCountMayBeWrittenAsAFloatWithNoFraction() {
        for (String seq : new String[] {"5", "5.0", "5e0", "0.5e1", "0", "-0.0"}) {
            long expected = seq.startsWith("-") || seq.equals("0") ? 0 : 5;
            assertThat(fields("{\"seq\":" + seq + "}").requiredCount("seq")).as(seq).isEqualTo(expected);
        }
        assertThat(fields("{\"rooms\":{\"r\":7.0}}").requiredObject("rooms").asCounts("rooms"))
                .isEqualTo(Map.of("r", 7L));
        for (String seq : new String[] {"5.5", "-1", "-1.0", "1e400", "-1e400", "-5e30", "\"5\"", "true"}) {
            assertThatThrownBy(() -> fields("{\"seq\":" + seq + "}").requiredCount("seq")).as(seq)
                    .isInstanceOf(ChatException.class).hasMessage("seq must be an integer >= 0");
        }
    }

    @Test
    void aCountPastTheFloatsThatTellEveryIntegerApartIsReadAsTheGoServerReadsIt() {
        assertThat(fields("{\"seq\":1e16}").requiredCount("seq")).isEqualTo(10_000_000_000_000_000L);
        assertThat(fields("{\"seq\":10000000000000000.0}").requiredCount("seq")).isEqualTo(10_000_000_000_000_000L);
        assertThat(fields("{\"seq\":9007199254740993.0}").requiredCount("seq")).isEqualTo(9_007_199_254_740_992L);
        for (String seq : new String[] {"9223372036854775807", "9223372036854775808", "1e19", "1e300",
                "100000000000000000000000000000"}) {
            assertThat(fields("{\"seq\":" + seq + "}").requiredCount("seq")).as(seq).isEqualTo(Long.MAX_VALUE);
        }
    }

    @Test
    void anIntegerTooLargeForItsFieldSaysSoRatherThanThatItIsNoInteger() {
        assertThat(fields("{\"max_tokens\":2147483647}").optionalInt("max_tokens")).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> fields("{\"max_tokens\":1000000000000}").optionalInt("max_tokens"))
                .isInstanceOf(ChatException.class).hasMessage("max_tokens must be at most 2147483647");
        assertThatThrownBy(() -> fields("{\"max_tokens\":-1000000000000}").optionalInt("max_tokens"))
                .isInstanceOf(ChatException.class).hasMessage("max_tokens is too small");
        assertThatThrownBy(() -> fields("{\"max_tokens\":1.5}").optionalInt("max_tokens"))
                .isInstanceOf(ChatException.class).hasMessage("max_tokens must be an integer");
    }

    private static JsonFields fields(String json) {
        return JsonFields.of(WireJson.parse(json).orElseThrow(), "body");
    }
}
