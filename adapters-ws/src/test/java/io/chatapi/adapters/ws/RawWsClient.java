package io.chatapi.adapters.ws;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatapi.adapters.ws.json.WireJson;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A WebSocket client on a bare socket: it upgrades, then reads only when told to (or never). */
final class RawWsClient implements AutoCloseable {
    /** A server frame: opcode and payload. */
    record Frame(int opcode, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    final int status;

    private RawWsClient(Socket socket, int status) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.status = status;
    }

    /** Sends an upgrade request for {@code path} with extra headers; returns once the status line is read. */
    static RawWsClient handshake(int port, String path, int receiveBuffer, String... headers) {
        try {
            Socket socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(15_000);
            StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            req.append("\r\n");
            socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String statusLine = readLine(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int contentLength = 0;
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    contentLength = Integer.parseInt(line.substring(15).trim());
                }
            }
            if (status != 101) {
                in.readNBytes(contentLength);
            }
            return new RawWsClient(socket, status);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RawWsClient connect(int port, String token, int receiveBuffer) {
        RawWsClient client = handshake(port, "/ws?token=" + token, receiveBuffer);
        if (client.status != 101) {
            throw new AssertionError("upgrade refused: " + client.status);
        }
        return client;
    }

    private static String readLine(DataInputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** The next frame, or null at end of stream. */
    Frame readFrame() throws IOException {
        int b0 = in.read();
        if (b0 == -1) {
            return null;
        }
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, payload);
    }

    /** Reads until a close frame (its code) or the end of the stream (-1). */
    int readUntilClose() throws IOException {
        try {
            for (Frame f = readFrame(); f != null; f = readFrame()) {
                if (f.opcode() == 8) {
                    return f.closeCode();
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            return -1;
        }
        return -1;
    }

    /** True when the server cut the connection (end of stream or reset) within the socket timeout. */
    boolean cutByServer() throws IOException {
        try {
            while (readFrame() != null) {
                // drain
            }
            return true;
        } catch (EOFException | java.net.SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Sends a masked text frame. */
    void sendText(String text) throws IOException {
        sendFrame(true, 1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one masked frame as given: {@code fin}, {@code opcode} (1 text, 0 continuation) and the raw bytes. */
    void sendFrame(boolean fin, int opcode, byte[] data) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (data.length < 126) {
            frame.write(0x80 | data.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(data.length >>> 8);
            frame.write(data.length & 0xff);
        }
        frame.write(new byte[4]);
        frame.write(data);
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next text frame, parsed (pings skipped); fails at a close frame or the end of the stream. */
    JsonNode nextEvent() throws IOException {
        for (Frame f = readFrame(); f != null; f = readFrame()) {
            if (f.opcode() == 8) {
                throw new AssertionError("closed with " + f.closeCode());
            }
            if (f.opcode() == 1) {
                String text = f.text();
                return WireJson.parse(text).orElseThrow(() -> new AssertionError("not JSON: " + text));
            }
        }
        throw new AssertionError("the connection ended");
    }

    /** The next frame within {@code millis}; null when none came (silence, end of stream or a cut connection). */
    Frame frameWithin(int millis) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            return readFrame();
        } catch (SocketTimeoutException | EOFException | java.net.SocketException e) {
            return null;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(before);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
