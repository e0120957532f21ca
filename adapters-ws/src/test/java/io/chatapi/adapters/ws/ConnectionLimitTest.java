package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionLimitTest {
    @Test
    void holdsBackTheOpenFilesAndATenthOfTheMaximumBetween128And1024() {
        assertThat(ConnectionLimit.forOpenFiles(20_000, 100)).isEqualTo(18_876);
        assertThat(ConnectionLimit.forOpenFiles(1_024, 100)).isEqualTo(796);
        assertThat(ConnectionLimit.forOpenFiles(256, 0)).isEqualTo(128);
        assertThat(ConnectionLimit.forOpenFiles(4_096, 100)).isEqualTo(3_587);
        assertThat(ConnectionLimit.forOpenFiles(1_048_576, 200)).isEqualTo(1_047_352);
    }

    @Test
    void aLimitWithNoRoomBesideTheMarginIsNoneAndAnUnknownOneNoLimit() {
        assertThat(ConnectionLimit.forOpenFiles(220, 91)).isEqualTo(1);
        assertThat(ConnectionLimit.forOpenFiles(220, 92)).isEqualTo(ConnectionLimit.NONE);
        assertThat(ConnectionLimit.forOpenFiles(100, 90)).isEqualTo(ConnectionLimit.NONE);
        assertThat(ConnectionLimit.forOpenFiles(66, 50)).isEqualTo(ConnectionLimit.NONE);
        assertThat(ConnectionLimit.low(1)).isTrue();
        assertThat(ConnectionLimit.low(ConnectionLimit.LOW - 1)).isTrue();
        assertThat(ConnectionLimit.low(ConnectionLimit.LOW)).isFalse();
        assertThat(ConnectionLimit.low(ConnectionLimit.UNLIMITED)).isFalse();
        assertThat(ConnectionLimit.forOpenFiles(0, 10)).isEqualTo(ConnectionLimit.UNLIMITED);
        assertThat(ConnectionLimit.forOpenFiles(Long.MAX_VALUE, 10)).isEqualTo(ConnectionLimit.UNLIMITED);
    }
}
