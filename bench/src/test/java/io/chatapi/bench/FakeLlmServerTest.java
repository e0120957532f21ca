package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FakeLlmServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void streamsTimestampedChunksThenDone() throws Exception {
        try (FakeLlmServer llm = new FakeLlmServer(5, Duration.ofMillis(20), "sk-test")) {
            assertThat(llm.baseUrl().getHost()).isEqualTo("127.0.0.1");
            long before = Micros.now();
            HttpResponse<java.util.stream.Stream<String>> response = http.send(request(llm.baseUrl(), "sk-test"),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
            List<String> data = response.body().filter(l -> l.startsWith("data:")).toList();
            long after = Micros.now();

            assertThat(data.get(data.size() - 1)).isEqualTo("data: [DONE]");
            List<Long> stamps = new ArrayList<>();
            String finish = null;
            for (String line : data.subList(0, data.size() - 1)) {
                JsonNode chunk = Json.parse(line.substring("data: ".length()));
                assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
                JsonNode choice = chunk.path("choices").get(0);
                stamps.addAll(FakeLlmServer.stamps(choice.path("delta").path("content").asText(null)));
                if (!choice.path("finish_reason").isNull()) {
                    finish = choice.path("finish_reason").asText();
                }
            }
            assertThat(stamps).hasSize(5).isSorted().allSatisfy(t -> assertThat(t).isBetween(before, after));
            assertThat(finish).isEqualTo("stop");
            assertThat(llm.requests()).isEqualTo(1);
            assertThat(llm.chunksSent()).isEqualTo(5);
        }
    }

    @Test
    void refusesAWrongKey() throws Exception {
        try (FakeLlmServer llm = new FakeLlmServer(5, Duration.ofMillis(20), "sk-test")) {
            HttpResponse<String> response = http.send(request(llm.baseUrl(), "sk-wrong"), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(llm.rejected()).isEqualTo(1);
            assertThat(llm.requests()).isZero();
        }
    }

    @Test
    void aDirectStreamReadsEveryStampAndIsCountedApart() throws Exception {
        try (FakeLlmServer llm = new FakeLlmServer(5, Duration.ofMillis(20), "sk-test")) {
            List<Long> ages = new ArrayList<>();
            long before = Micros.now();
            int stamps = DirectStream.run(llm.directUrl(), "sk-test", ages::add);
            long took = Micros.now() - before;

            assertThat(stamps).isEqualTo(5);
            assertThat(ages).hasSize(5).allSatisfy(age -> assertThat(age).isBetween(0L, took));
            assertThat(llm.directRequests()).isEqualTo(1);
            assertThat(llm.requests()).isZero();
            assertThat(llm.chunksSent()).isEqualTo(5);
        }
    }

    @Test
    void aDirectStreamRefusedByTheFakeFailsInsteadOfCountingNothing() {
        try (FakeLlmServer llm = new FakeLlmServer(5, Duration.ofMillis(20), "sk-test")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DirectStream.run(llm.directUrl(), "sk-wrong", age -> { }))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("401");
            assertThat(llm.rejected()).isEqualTo(1);
        }
    }

    @Test
    void aStampSplitAcrossReadsIsReadOnceWhole() throws Exception {
        byte[] text = "5\r\n[t=12]\r\ndata: x[t=3 [t=[t=45]] [t=9".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        List<Long> stamps = new ArrayList<>();
        // one byte per read: every stamp is split
        var in = new java.io.InputStream() {
            int next;

            @Override
            public int read() {
                return next < text.length ? text[next++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (next == text.length) {
                    return -1;
                }
                b[off] = text[next++];
                return 1;
            }
        };
        assertThat(DirectStream.read(in, () -> 1_000, stamps::add)).isEqualTo(2);
        assertThat(stamps).containsExactly(988L, 955L);
    }

    @Test
    void findsEveryStampInAText() {
        assertThat(FakeLlmServer.stamps("[t=12] [t=34] tail")).containsExactly(12L, 34L);
        assertThat(FakeLlmServer.stamps("catch-up [t=5] [t=x] [t=")).containsExactly(5L);
        assertThat(FakeLlmServer.stamps(null)).isEmpty();
    }

    private static HttpRequest request(URI base, String key) {
        String body = "{\"model\":\"bench\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        return HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }
}
