package io.chatapi.adapters.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Only IP literals, {@code localhost} and {@code .invalid} names are used: no lookup leaves the machine. */
class EndpointGuardTest {
    private final HttpLlmClient strict = client(false);
    private final HttpLlmClient lenient = client(true);

    @AfterEach
    void close() {
        strict.close();
        lenient.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1:11434/v1", "http://localhost/v1", "http://10.0.0.1/v1", "http://172.16.5.4/v1",
            "http://192.168.1.10/v1", "http://169.254.169.254/latest", "http://100.64.0.1/v1", "http://0.0.0.0/v1",
            "http://224.0.0.1/v1", "http://255.255.255.255/v1", "http://[::1]/v1", "http://[::]/v1",
            "http://[fd00::1]/v1", "http://[fe80::1]/v1", "http://[ff02::1]/v1", "http://[::ffff:127.0.0.1]/v1",
            "http://[::ffff:a9fe:a9fe]/v1", "http://[64:ff9b::a9fe:a9fe]/v1", "http://[2002:0a00:0001::1]/v1",
            "http://[::7f00:1]/v1", "http://192.0.0.8/v1", "http://198.18.0.1/v1", "http://198.19.255.254/v1",
            "http://[64:ff9b:1::a9fe:a9fe]/v1", "http://[64:ff9b:1:ffff::1]/v1", "http://[2001:db8::1]/v1",
            "http://[100::1]/v1", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/v1"})
    void refusesNonPublicAddressesWhenPrivateNetworksAreNotAllowed(String url) {
        assertThat(strict.endpointProblem(url)).hasValueSatisfying(reason ->
                assertThat(reason).contains("private networks are not allowed"));
    }

    @Test
    void namesTheKindOfAddress() {
        assertThat(strict.endpointProblem("http://169.254.169.254/")).hasValue(
                "host resolves to a link-local address; private networks are not allowed");
        assertThat(strict.endpointProblem("http://127.0.0.1/")).get().asString().contains("loopback");
        assertThat(strict.endpointProblem("http://10.1.2.3/")).get().asString().contains("a private address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:11434/v1", "http://10.0.0.1/v1", "http://169.254.169.254/",
            "http://[::1]/v1", "http://localhost/v1"})
    void acceptsPrivateAddressesWhenAllowed(String url) {
        assertThat(lenient.endpointProblem(url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://8.8.8.8/v1", "http://93.184.216.34:8080/v1/", "https://[2606:4700::1111]/v1",
            "http://100.128.0.1/v1", "http://172.32.0.1/v1", "http://192.0.1.1/v1", "http://198.20.0.1/v1",
            "http://198.17.255.255/v1", "https://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/v1",
            "https://[64:ff9b::808:808]/v1"})
    void acceptsPublicAddresses(String url) {
        assertThat(strict.endpointProblem(url)).isEmpty();
    }

    @Test
    void refusesOtherSchemesAndMalformedUrls() {
        assertThat(lenient.endpointProblem("ftp://127.0.0.1/v1")).hasValue("scheme must be http or https");
        assertThat(lenient.endpointProblem("file:///etc/passwd")).hasValue("scheme must be http or https");
        assertThat(lenient.endpointProblem("127.0.0.1:8080")).hasValue("not a valid URL");
        assertThat(lenient.endpointProblem("//127.0.0.1:8080/v1")).hasValue("scheme must be http or https");
        assertThat(lenient.endpointProblem("http://exa mple.com/")).hasValue("not a valid URL");
        assertThat(lenient.endpointProblem("")).hasValue("URL is empty");
        assertThat(lenient.endpointProblem("http:///v1")).hasValue("URL has no host");
        assertThat(lenient.endpointProblem("http://user:pw@127.0.0.1/v1")).hasValue("URL must not contain credentials");
        assertThat(lenient.endpointProblem("http://127.0.0.1:99999/v1")).hasValue("port must be from 1 to 65535");
        assertThat(lenient.endpointProblem("http://127.0.0.1:0/v1")).hasValue("port must be from 1 to 65535");
        assertThat(lenient.endpointProblem("http://127.0.0.1:65535/v1")).isEmpty();
        assertThat(lenient.endpointProblem("http://127.0.0.1:1/v1")).isEmpty();
    }

    @Test
    void refusesAHostThatDoesNotResolve() {
        assertThat(lenient.endpointProblem("https://no-such-llm.invalid/v1")).hasValue("host does not resolve");
        assertThat(strict.endpointProblem("https://no-such-llm.invalid/v1")).hasValue("host does not resolve");
    }

    private static HttpLlmClient client(boolean allowPrivateNetworks) {
        return new HttpLlmClient(new LlmSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                allowPrivateNetworks, Map.<String, String>of()::get));
    }
}
