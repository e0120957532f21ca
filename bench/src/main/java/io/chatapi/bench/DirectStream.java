package io.chatapi.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * One completion streamed by the fake LLM straight to the load generator, with no server in between: the control
 * path of the relay scenario. A blocking socket read on the calling (virtual) thread, as the bench's WebSocket
 * client reads; every {@code [t=…]} stamp in the response hands {@code now - stamp} (µs) to the consumer as
 * soon as the bytes carrying it have been read. The response is not otherwise parsed: chunk-size lines and SSE
 * framing never contain the mark.
 */
final class DirectStream {
    private static final byte[] MARK = FakeLlmServer.MARK.getBytes(StandardCharsets.US_ASCII);
    private static final int TIMEOUT_MILLIS = 30_000;

    private DirectStream() {
    }

    /**
     * POSTs one completion request to {@code url} and reads the streamed answer to its end.
     *
     * @return how many stamps were read
     */
    static int run(URI url, String apiKey, LongConsumer latencyMicros) throws IOException {
        byte[] body = "{\"model\":\"bench\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"direct\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        String head = "POST " + url.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + url.getHost() + ":" + url.getPort() + "\r\n"
                + "Authorization: Bearer " + apiKey + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String status = statusLine(in);
            if (!status.startsWith("HTTP/1.1 200 ")) {
                throw new IOException("the fake LLM answered " + status);
            }
            return read(in, Micros::now, latencyMicros);
        }
    }

    /** The response's first line, without its line end. */
    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n' && line.length() < 1024) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /**
     * Reads to the end of {@code in}, handing each stamp's age on {@code clock} (µs, read after each read) to the
     * consumer; a stamp may span two reads.
     */
    static int read(InputStream in, LongSupplier clock, LongConsumer latencyMicros) throws IOException {
        byte[] buffer = new byte[8192];
        int matched = 0;
        boolean inStamp = false;
        long value = 0;
        int stamps = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            long now = clock.getAsLong();
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                if (inStamp) {
                    if (b >= '0' && b <= '9') {
                        value = value * 10 + (b - '0');
                        continue;
                    }
                    if (b == ']') {
                        latencyMicros.accept(now - value);
                        stamps++;
                    }
                    inStamp = false;
                    matched = 0;
                    value = 0;
                }
                if (b == MARK[matched]) {
                    matched++;
                    if (matched == MARK.length) {
                        inStamp = true;
                    }
                } else {
                    matched = b == MARK[0] ? 1 : 0;
                }
            }
        }
        return stamps;
    }
}
