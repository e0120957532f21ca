package io.chatapi.bootstrap.e2e;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Consumer;

/** A WebSocket client on a bare socket with a tiny receive buffer: it completes the upgrade, then stops reading. */
final class StalledSocket implements AutoCloseable {
    /** How the server ended the connection: a close frame's code, or {@link #CUT} for end of stream or reset. */
    static final int CUT = -1;

    private final Socket socket;
    private final DataInputStream in;

    private StalledSocket(Socket socket, DataInputStream in) {
        this.socket = socket;
        this.in = in;
    }

    /** Upgrades {@code /ws} for {@code token}; fails unless the server answers 101. Reads nothing afterwards. */
    static StalledSocket connect(int port, String token) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            String request = "GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String status = readLine(in);
            while (!readLine(in).isEmpty()) {
                // response headers
            }
            if (!status.startsWith("HTTP/1.1 101")) {
                socket.close();
                throw new AssertionError("upgrade refused: " + status);
            }
            return new StalledSocket(socket, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts reading again and skips data frames until the server ends the connection: returns the close
     * frame's code, or {@link #CUT} when the stream ends or is reset. Fails if neither happens within {@code wait}.
     */
    int readUntilServerEnds(Duration wait) throws IOException {
        return readUntilServerEnds(wait, text -> { });
    }

    /** The same, handing each whole text frame read to {@code texts}. */
    int readUntilServerEnds(Duration wait, Consumer<String> texts) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                int b0 = in.read();
                if (b0 == -1) {
                    return CUT;
                }
                int b1 = in.readUnsignedByte();
                long length = b1 & 0x7f;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                if ((b0 & 0x0f) == 8) {
                    byte[] payload = in.readNBytes((int) length);
                    return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                }
                if ((b0 & 0x0f) == 1 && (b0 & 0x80) != 0) {
                    texts.accept(new String(in.readNBytes((int) length), StandardCharsets.UTF_8));
                } else {
                    in.skipNBytes(length);
                }
            }
        } catch (EOFException | SocketException e) {
            return CUT;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the stalled connection open for " + wait, e);
        }
        throw new AssertionError("the server kept sending to the stalled connection for " + wait);
    }

    private static String readLine(DataInputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new EOFException("connection closed during the handshake");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** Sends one text frame (masked, as a client must); reads nothing. */
    void send(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        var frame = new java.io.ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        }
        byte[] mask = {1, 2, 3, 4};
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        socket.getOutputStream().write(frame.toByteArray());
        socket.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
