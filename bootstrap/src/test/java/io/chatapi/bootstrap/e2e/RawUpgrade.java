package io.chatapi.bootstrap.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Sends a WebSocket upgrade request by hand: the status code for handshake refusals, raw frames after it. */
final class RawUpgrade {
    private RawUpgrade() {
    }

    /** The HTTP status the server answers to an upgrade of {@code path}, with an optional Origin header. */
    static int status(int port, String path, String origin) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            var reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String statusLine = reader.readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Upgrades {@code path}, sends {@code frame} as raw bytes and returns everything the server sends after the
     * upgrade answer's headers until it closes the connection (or 10 s pass).
     */
    static byte[] afterUpgrade(int port, String path, byte[] frame) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                    + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            var in = socket.getInputStream();
            int matched = 0;
            String end = "\r\n\r\n";
            StringBuilder head = new StringBuilder();
            while (matched < end.length()) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed before the upgrade answer ended: " + head);
                }
                head.append((char) b);
                matched = b == end.charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            if (!head.toString().startsWith("HTTP/1.1 101")) {
                throw new IOException("not upgraded: " + head);
            }
            socket.getOutputStream().write(frame);
            socket.getOutputStream().flush();
            var rest = new java.io.ByteArrayOutputStream();
            try {
                in.transferTo(rest);
            } catch (java.net.SocketException e) {
                // a reset after the server closed: what arrived before it is kept
            }
            return rest.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
