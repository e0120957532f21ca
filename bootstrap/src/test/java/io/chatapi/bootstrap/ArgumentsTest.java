package io.chatapi.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ArgumentsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private OptionalInt handle(String... args) {
        return Arguments.handle(args, "1.2.3", new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void noArgumentsStartsTheServer() {
        assertThat(handle()).isEmpty();
        assertThat(out.size() + err.size()).isZero();
    }

    @Test
    void helpListsEverySettingWithItsDefaultAndNoValueFromTheEnvironment() {
        assertThat(handle("--help")).hasValue(0);
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help).startsWith("chatapi 1.2.3\nUsage: JWT_SECRET=... java -jar chatapi.jar\n")
                .containsPattern("\n  JWT_SECRET +required\n")
                .containsPattern("\n  LISTEN_ADDR +default :8080\n")
                .containsPattern("\n  WEBHOOK_SECRET +unset\n")
                .contains("docs/configuration.md");
        for (Setting setting : Setting.values()) {
            assertThat(help).contains("\n  " + setting.name() + " ");
        }
        assertThat(err.size()).isZero();
        out.reset();
        assertThat(handle("-h")).hasValue(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(help);
    }

    @Test
    void versionPrintsTheVersion() {
        assertThat(handle("--version")).hasValue(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("chatapi 1.2.3" + System.lineSeparator());
    }

    @Test
    void anyOtherArgumentIsRefusedNamingItWithoutStarting() {
        assertThat(handle("--port", "9000")).hasValue(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("chatapi: unknown argument '--port': ")
                .contains("environment variables", "--help");
        assertThat(out.size()).isZero();

        err.reset();
        assertThat(handle("--help", "x\u001b[31m")).hasValue(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("chatapi: unknown argument 'x\\u001b[31m': ");

        err.reset();
        assertThat(handle("--help", "--version")).hasValue(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("chatapi: --help and --version are given alone");

        err.reset();
        assertThat(handle("y".repeat(300))).hasValue(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'" + "y".repeat(100) + "…'");
    }
}
