package io.chatapi.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One WebSocket connection (RFC 6455) over a blocking socket read by a virtual thread: the handshake with the
 * token in the {@code Authorization} header, text messages parsed into {@link Frame}s for a {@link Handler},
 * pings answered, masked sends serialised, and how it closed. The load generator shares the cores with the
 * server, so the client is kept to what the benchmarks need: each frame costs a read and a parse, each
 * connection a virtual thread, with no selector thread or future chain in between.
 */
final class WsClient {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_BINARY = 0x2;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int NORMAL_CLOSURE = 1000;

    /** Receives the frames of one connection, on its reader thread; may send on it, must not otherwise block. */
    interface Handler {
        void onFrame(WsClient client, Frame frame);

        /** A text message as it arrived; parses it for {@link #onFrame} unless a handler looks at the text first. */
        default void onText(WsClient client, String text) {
            onFrame(client, Frame.parse(text));
        }

        default void onClosed(WsClient client, int code, String reason) {
        }
    }

    /** How a connection ended: the close code, or -1 when the transport failed. */
    record Closed(int code, String reason) {
    }

    private final String user;
    private final Handler handler;
    private final Socket socket;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private volatile boolean closeSent;

    private WsClient(String user, Handler handler, Socket socket) {
        this.user = user;
        this.handler = handler;
        this.socket = socket;
    }

    /**
     * Opens a connection from {@code source} (any local address when null) with the token in the Authorization
     * header; fails with the handshake's error (a refused connection has a {@link java.net.ConnectException} as
     * its cause).
     */
    static WsClient connect(InetAddress source, URI uri, String user, String token, Handler handler,
                            Duration timeout) {
        Socket socket = new Socket();
        try {
            if (source != null) {
                socket.bind(new InetSocketAddress(source, 0));
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
            handshake(socket.getOutputStream(), in, uri, token);
            socket.setSoTimeout(0);
            WsClient client = new WsClient(user, handler, socket);
            Thread.ofVirtual().name("ws-" + user).start(() -> client.read(in));
            return client;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw new BenchException("WebSocket connect failed: " + e, e);
        }
    }

    String user() {
        return user;
    }

    boolean isOpen() {
        return !closed.isDone();
    }

    CompletableFuture<Closed> closed() {
        return closed;
    }

    /** Sends one text message; false when the connection is closed or the send failed or waited over 10 s. */
    boolean send(String text) {
        if (closed.isDone() || closeSent) {
            return false;
        }
        return write(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a normal close and waits up to {@code wait} for the server's; aborts the connection otherwise. */
    void close(Duration wait) {
        if (closed.isDone()) {
            return;
        }
        sendClose(NORMAL_CLOSURE);
        try {
            closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            abort();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
        }
    }

    void abort() {
        closeQuietly(socket);
    }

    private static void handshake(OutputStream out, InputStream in, URI uri, String token) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            target += "?" + uri.getRawQuery();
        }
        String request = "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = line(in);
        String accept = null;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")) {
                accept = header.substring(colon + 1).trim();
            }
        }
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake answered " + status);
        }
        if (!expectedAccept(key).equals(accept)) {
            throw new IOException("handshake answered a wrong Sec-WebSocket-Accept");
        }
    }

    static String expectedAccept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed during the handshake");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** The reader: frames until a close, the end of the stream or an error. */
    private void read(InputStream in) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        try {
            while (true) {
                int b0 = in.read();
                int b1 = in.read();
                if (b0 < 0 || b1 < 0) {
                    throw new EOFException("connection closed without a close frame");
                }
                boolean fin = (b0 & 0x80) != 0;
                int opcode = b0 & 0x0F;
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = (in.read() << 8) | in.read();
                } else if (length == 127) {
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | in.read();
                    }
                }
                byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
                if (length > Integer.MAX_VALUE - 8) {
                    throw new IOException("frame too large: " + length);
                }
                byte[] payload = in.readNBytes((int) length);
                if (payload.length < length) {
                    throw new EOFException("connection closed inside a frame");
                }
                if (mask != null) {
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i & 3];
                    }
                }
                switch (opcode) {
                    case OP_TEXT, OP_BINARY, OP_CONTINUATION -> {
                        message.write(payload);
                        if (fin) {
                            String text = message.toString(StandardCharsets.UTF_8);
                            message.reset();
                            handler.onText(this, text);
                        }
                    }
                    case OP_PING -> write(0xA, payload);
                    case OP_CLOSE -> {
                        int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                        String reason = payload.length > 2
                                ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                        sendClose(code == 1005 ? NORMAL_CLOSURE : code);
                        ended(code, reason);
                        return;
                    }
                    default -> {
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            ended(-1, String.valueOf(e));
        } finally {
            closeQuietly(socket);
        }
    }

    private void ended(int code, String reason) {
        if (closed.complete(new Closed(code, reason))) {
            handler.onClosed(this, code, reason);
        }
    }

    private void sendClose(int code) {
        if (!closeSent && write(OP_CLOSE, new byte[] {(byte) (code >> 8), (byte) code})) {
            closeSent = true;
        }
    }

    /** One masked frame, written whole; false when the socket failed or another send held it over 10 s. */
    private boolean write(int opcode, byte[] payload) {
        int headerLength = 2 + (payload.length < 126 ? 0 : payload.length < 65536 ? 2 : 8) + 4;
        byte[] frame = new byte[headerLength + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        int at;
        if (payload.length < 126) {
            frame[1] = (byte) (0x80 | payload.length);
            at = 2;
        } else if (payload.length < 65536) {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (payload.length >> 8);
            frame[3] = (byte) payload.length;
            at = 4;
        } else {
            frame[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) payload.length >> (56 - 8 * i));
            }
            at = 10;
        }
        int mask = ThreadLocalRandom.current().nextInt();
        for (int i = 0; i < 4; i++) {
            frame[at + i] = (byte) (mask >> (24 - 8 * i));
        }
        for (int i = 0; i < payload.length; i++) {
            frame[headerLength + i] = (byte) (payload[i] ^ frame[at + (i & 3)]);
        }
        try {
            if (!sendLock.tryLock(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            socket.getOutputStream().write(frame);
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            sendLock.unlock();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
