package io.chatapi.adapters.ws.rest;

import io.chatapi.adapters.ws.json.WireJson;
import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers a request of any HTTP version but 1.1 (HTTP/1.0 included, which load balancers' health checks send
 * by default) with {@code 505}, and a first line that is no request line at all with {@code 400}, both with the
 * error contract's body, then closes the connection. Helidon serves HTTP/1.1 only and closes such a connection
 * without a byte or a log line, which leaves the client, and whoever reads the log, with nothing that says why.
 * A first line still incomplete is Helidon's: its HTTP/1.1 connection claims it, and answers a version it finds
 * unsupported itself ({@link DirectAnswers}).
 */
public final class OtherHttpVersions implements ServerConnectionSelector {
    private static final Logger REQUESTS = Logger.getLogger("io.chatapi.http");
    /** A request line: method, target and a version, up to the CR of its CRLF. */
    private static final Pattern REQUEST_LINE = Pattern.compile("([A-Za-z]+) (\\S+) HTTP/(\\d+(?:\\.\\d+)?)\r");
    /** Longer first lines are not looked at: Helidon's own limit for a request line answers them. */
    private static final int MAX_LINE = 32 * 1024;
    private static final byte[] WRONG_VERSION = answer("505 HTTP Version Not Supported", DirectAnswers.answer(505));
    private static final byte[] MALFORMED = answer("400 Bad Request", DirectAnswers.answer(400));

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData data) {
        int newline = data.indexOf((byte) '\n');
        if (newline < 0) {
            return data.available() > MAX_LINE ? Support.UNSUPPORTED : Support.UNKNOWN;
        }
        // every line Helidon's HTTP/1.1 connection takes is its, well-formed or not
        return data.readString(newline, StandardCharsets.ISO_8859_1).endsWith(" HTTP/1.1\r")
                ? Support.UNSUPPORTED : Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return new Refusal(ctx);
    }

    private static byte[] answer(String status, DirectAnswers.Answer answer) {
        byte[] body = WireJson.bytes(WireJson.object().put("error", answer.code().wire())
                .put("message", answer.message()));
        byte[] head = ("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Writes the answer and returns: the connection is then closed. */
    private record Refusal(ConnectionContext ctx) implements ServerConnection {
        @Override
        public void handle(Semaphore requests) {
            String logged = "- -";
            boolean requestLine = false;
            try {
                int newline = ctx.dataReader().findNewLine(MAX_LINE);
                Matcher line = REQUEST_LINE.matcher(ctx.dataReader().readAsciiString(newline + 1));
                if (line.matches()) {
                    requestLine = true;
                    logged = DirectAnswers.loggable(line.group(1)) + " "
                            + DirectAnswers.loggable(DirectAnswers.withoutQuery(line.group(2)));
                }
            } catch (RuntimeException e) {
                // not a line this can read: answered as malformed
            }
            ctx.dataWriter().writeNow(BufferData.create(requestLine ? WRONG_VERSION : MALFORMED));
            if (REQUESTS.isLoggable(Level.INFO)) {
                REQUESTS.logp(Level.INFO, OtherHttpVersions.class.getName(), "handle",
                        logged + (requestLine ? " 505" : " 400") + " 0ms");
            }
        }

        @Override
        public Duration idleTime() {
            return Duration.ZERO;
        }

        @Override
        public void close(boolean interrupt) {
            // nothing is left to stop: the answer is written in one go
        }
    }
}
