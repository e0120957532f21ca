package io.chatapi.adapters.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webserver.websocket.WsUpgrader;
import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Helidon's shared handshake headers build their values on first read, unsynchronised (see
 * {@link SharedUpgradeHeaders}). A process's first handshakes racing on them was rare and could not be forced, so
 * these tests put the headers back as a new process has them and check that the server builds them before it
 * accepts a connection.
 */
class SharedUpgradeHeadersTest {

    @Test
    void theServerBuildsTheSharedHeadersBeforeItAcceptsAConnection() throws Exception {
        asInANewProcess();

        try (TestServer server = TestServer.start()) {
            assertThat(values("CONNECTION_UPGRADE")).containsExactly("Upgrade");
            assertThat(values("SUPPORTED_VERSION_HEADER")).containsExactly("13");
        }
    }

    @Test
    void preparingBuildsThem() throws Exception {
        asInANewProcess();

        SharedUpgradeHeaders.prepare();

        assertThat(values("CONNECTION_UPGRADE")).containsExactly("Upgrade");
        assertThat(values("SUPPORTED_VERSION_HEADER")).containsExactly("13");
    }

    private static void asInANewProcess() throws Exception {
        for (String constant : List.of("CONNECTION_UPGRADE", "SUPPORTED_VERSION_HEADER")) {
            valuesField(constant).set(header(constant), null);
            assertThat(values(constant)).as(constant + " unbuilt").isNull();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> values(String constant) throws Exception {
        return (List<String>) valuesField(constant).get(header(constant));
    }

    private static Object header(String constant) throws Exception {
        Field field = WsUpgrader.class.getDeclaredField(constant);
        field.setAccessible(true);
        return field.get(null);
    }

    /** The header's lazily built list of values (Helidon's {@code HeaderValueSingle}). */
    private static Field valuesField(String constant) throws Exception {
        Field field = header(constant).getClass().getDeclaredField("values");
        field.setAccessible(true);
        return field;
    }
}
