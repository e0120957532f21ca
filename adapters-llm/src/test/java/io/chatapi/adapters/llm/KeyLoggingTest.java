package io.chatapi.adapters.llm;

import static io.chatapi.adapters.llm.Fixtures.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.chatapi.application.port.out.Cancellation;
import io.chatapi.application.port.out.LlmOutcome;
import io.chatapi.domain.LlmProvider;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Providers echo keys in their error texts; what the client logs must not contain the key. */
class KeyLoggingTest {
    private final Logger logger = Logger.getLogger(HttpLlmClient.class.getName());
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            lines.add(formatter.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final HttpLlmClient client = new HttpLlmClient(Fixtures.settings());
    private Level previousLevel;

    @BeforeEach
    void listen() {
        previousLevel = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(capture);
    }

    @AfterEach
    void stop() {
        logger.removeHandler(capture);
        logger.setLevel(previousLevel);
        client.close();
    }

    @Test
    void anEchoedKeyInAnErrorBodyIsRedacted() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> c.respond(401, "Content-Type: application/json\r\n",
                "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\"}}"))) {
            assertThat(client.stream(Fixtures.request(LlmProvider.OPENAI, fake.baseUrl()), text -> { },
                    new Cancellation())).isEqualTo(LlmOutcome.ERROR);
        }

        assertThat(lines).anySatisfy(line -> assertThat(line).contains("401").contains("[redacted]"));
        assertThat(lines).noneSatisfy(line -> assertThat(line).contains(KEY));
    }

    @Test
    void anEchoedKeyInAStreamedErrorIsRedacted() throws Exception {
        try (FakeLlmServer fake = FakeLlmServer.start(c -> {
            c.startStream();
            c.chunk("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"auth\",\"message\":\"bad key " + KEY + "\"}}\n\n");
            c.endStream();
        })) {
            assertThat(client.stream(Fixtures.request(LlmProvider.ANTHROPIC, fake.baseUrl()), text -> { },
                    new Cancellation())).isEqualTo(LlmOutcome.ERROR);
        }

        assertThat(lines).anySatisfy(line -> assertThat(line).contains("bad key [redacted]"));
        assertThat(lines).noneSatisfy(line -> assertThat(line).contains(KEY));
    }
}
