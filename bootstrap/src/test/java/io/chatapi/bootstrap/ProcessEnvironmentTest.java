package io.chatapi.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProcessEnvironmentTest {

    private static byte[] environ(String... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String entry : entries) {
            out.writeBytes(entry.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    @Test
    void valuesAreDecodedAsUtf8AndKeepTheirEqualsSigns() {
        var env = ProcessEnvironment.parse(environ("JWT_SECRET=shört-säcret-😀", "A=b=c", "EMPTY=", "PATH=/bin"));
        assertThat(env).containsEntry("JWT_SECRET", "shört-säcret-😀").containsEntry("A", "b=c")
                .containsEntry("EMPTY", "").containsEntry("PATH", "/bin").hasSize(4);
    }

    @Test
    void entriesWithoutANameAreSkippedAndTheFirstOfARepeatedNameWins() {
        var env = ProcessEnvironment.parse(environ("=x", "noequals", "K=1", "K=2"));
        assertThat(env).containsOnlyKeys("K").containsEntry("K", "1");
        assertThat(ProcessEnvironment.parse(new byte[0])).isEmpty();
    }

    @Test
    void theRunningProcessReadsItsOwnEnvironment() {
        assertThat(ProcessEnvironment.utf8()).containsEntry("PATH", System.getenv("PATH"));
    }
}
