package io.chatapi.adapters.llm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A byte-level fake LLM endpoint on a loopback address: each connection runs the test's script. */
final class FakeLlmServer implements AutoCloseable {
    /** What the fake does with one connection after reading its request. */
    interface Script {
        void run(Connection connection) throws Exception;
    }

    /** One request as the fake received it; header names are lower case. */
    record Request(String method, String path, Map<String, String> headers, String body) {
    }

    private final ServerSocket server;
    private final Script script;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();

    private FakeLlmServer(ServerSocket server, Script script) {
        this.server = server;
        this.script = script;
        Thread.ofPlatform().daemon().name("fake-llm-accept").start(this::acceptLoop);
    }

    static FakeLlmServer start(Script script) throws IOException {
        return start("127.0.0.1", script);
    }

    static FakeLlmServer start(String bindAddress, Script script) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), 0));
        return new FakeLlmServer(server, script);
    }

    /** {@code http://host:port/v1}, a base URL for bots. */
    String baseUrl() {
        return "http://" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort() + "/v1";
    }

    /** The next request received, waiting at most five seconds. */
    Request takeRequest() throws InterruptedException {
        Request request = requests.poll(5, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("the fake LLM received no request");
        }
        return request;
    }

    int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                Thread.ofPlatform().daemon().name("fake-llm-conn").start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            Connection connection = new Connection(socket, readRequest(socket.getInputStream()));
            requests.add(connection.request);
            script.run(connection);
        } catch (Exception e) {
            // the client went away; the scripts that care observe it themselves
        }
    }

    private static Request readRequest(InputStream in) throws IOException {
        String requestLine = readLine(in);
        Map<String, String> headers = new TreeMap<>();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        String[] parts = requestLine.split(" ");
        return new Request(parts[0], parts[1], headers, body);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed inside the request head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** One accepted connection: write a response byte by byte, or watch the client hang up. */
    static final class Connection {
        final Request request;
        private final Socket socket;
        private final OutputStream out;

        Connection(Socket socket, Request request) throws IOException {
            this.socket = socket;
            this.request = request;
            this.out = socket.getOutputStream();
        }

        /** Reads the client's next request on this same connection (keep-alive) and records it. */
        Request nextRequest(FakeLlmServer server) throws IOException {
            socket.setSoTimeout(5_000);
            Request next = readRequest(socket.getInputStream());
            server.requests.add(next);
            return next;
        }

        /** A 200 event-stream head with chunked transfer coding. */
        void startStream() throws IOException {
            write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        }

        /** A 200 event-stream head whose body ends when the connection closes. */
        void startUnframedStream() throws IOException {
            write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
        }

        /** One chunk of a chunked body. */
        void chunk(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** The last chunk of a chunked body. */
        void endStream() throws IOException {
            write("0\r\n\r\n");
        }

        /** A complete response with a fixed length. */
        void respond(int status, String headers, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            write("HTTP/1.1 " + status + " Status\r\n" + headers + "Content-Length: " + bytes.length
                    + "\r\nConnection: close\r\n\r\n");
            out.write(bytes);
            out.flush();
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Closes with a TCP reset instead of an orderly close. */
        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        /** True when the client closes or resets the connection within {@code limit}. */
        boolean clientHungUpWithin(Duration limit) throws IOException {
            socket.setSoTimeout((int) limit.toMillis());
            try {
                InputStream in = socket.getInputStream();
                while (in.read() >= 0) {
                    // a client would not send more on this connection; keep reading until it hangs up
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true;
            }
        }
    }
}
