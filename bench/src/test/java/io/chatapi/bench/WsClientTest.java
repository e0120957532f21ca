package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WsClientTest {
    @Test
    void acceptsTheServersAnswerAsRfc6455ComputesIt() {
        // The example handshake of RFC 6455, section 1.3.
        assertThat(WsClient.expectedAccept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }
}
