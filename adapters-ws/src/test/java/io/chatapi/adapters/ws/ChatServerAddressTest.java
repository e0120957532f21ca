package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the server names its listen address in its log and its refusals: as {@code LISTEN_ADDR} is written. */
class ChatServerAddressTest {
    @Test
    void anIpv6HostIsBracketedAndOthersAreNot() {
        assertThat(ChatServer.address("::1", 8080)).isEqualTo("[::1]:8080");
        assertThat(ChatServer.address("fe80::1%eth0", 443)).isEqualTo("[fe80::1%eth0]:443");
        assertThat(ChatServer.address("127.0.0.1", 8080)).isEqualTo("127.0.0.1:8080");
        assertThat(ChatServer.address("chat.example", 80)).isEqualTo("chat.example:80");
        assertThat(ChatServer.address("0.0.0.0", 0)).isEqualTo("0.0.0.0:0");
    }
}
