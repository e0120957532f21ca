package io.chatapi.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The worker's loopback source address for its WebSocket connections ({@link WsClient}), and JDK HTTP clients
 * for its REST calls (one per {@code perClient} callers, callbacks on virtual threads, bound to the same address).
 */
final class ClientPool implements AutoCloseable {
    private final int perClient;
    private final InetAddress source;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<HttpClient> clients = new ArrayList<>();
    private int assigned;

    ClientPool(int perClient, String sourceAddress) {
        this.perClient = Math.max(1, perClient);
        this.source = sourceAddress == null ? null : loopback(sourceAddress);
    }

    /** The local address WebSocket connections bind to; null for any. */
    InetAddress source() {
        return source;
    }

    /** The client for the next connection. */
    synchronized HttpClient next() {
        int index = assigned++ / perClient;
        while (clients.size() <= index) {
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .executor(executor)
                    .connectTimeout(Duration.ofSeconds(10));
            if (source != null) {
                builder.localAddress(source);
            }
            clients.add(builder.build());
        }
        return clients.get(index);
    }

    /** A plain client for REST calls from this process. */
    synchronized HttpClient any() {
        if (clients.isEmpty()) {
            next();
            assigned--;
        }
        return clients.get(0);
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
        clients.forEach(HttpClient::shutdownNow);
        executor.shutdownNow();
    }
}
