package io.chatapi.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A worker's loopback source address for its WebSocket connections ({@link WsClient}), and the JDK HTTP client
 * for its REST calls (made on first use, callbacks on virtual threads, bound to the same address).
 */
final class ClientPool implements AutoCloseable {
    private final InetAddress source;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private HttpClient rest;

    ClientPool(String sourceAddress) {
        this.source = sourceAddress == null ? null : loopback(sourceAddress);
    }

    /** The local address WebSocket connections bind to; null for any. */
    InetAddress source() {
        return source;
    }

    /** The client for REST calls from this process. */
    synchronized HttpClient any() {
        if (rest == null) {
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .executor(executor)
                    .connectTimeout(Duration.ofSeconds(10));
            if (source != null) {
                builder.localAddress(source);
            }
            rest = builder.build();
        }
        return rest;
    }

    /** Accepts only addresses in 127.0.0.0/8: load never leaves this machine. */
    static InetAddress loopback(String address) {
        try {
            InetAddress parsed = InetAddress.getByName(address);
            if (!parsed.isLoopbackAddress() || parsed.getAddress().length != 4) {
                throw new BenchException("source address must be in 127.0.0.0/8, not " + address);
            }
            return parsed;
        } catch (UnknownHostException e) {
            throw new BenchException("bad source address " + address, e);
        }
    }

    @Override
    public synchronized void close() {
        if (rest != null) {
            rest.shutdownNow();
        }
        executor.shutdownNow();
    }
}
