package io.chatapi.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts the packaged server the way a user does, {@code java -jar chatapi.jar} (with the JDK AOT cache that
 * {@code run.sh} uses, when one is given), configured only through environment variables: a fresh SQLite file
 * per server, no rate limit, a large per-user socket cap and no {@code ALLOWED_ORIGINS}.
 */
final class JarServerFactory implements ServerFactory {
    static final String HOST = "127.0.0.1";
    private final Path java;
    private final Path jar;
    private final Path workDir;
    private final String secret;
    private final Optional<Path> aotCache;
    private final List<String> javaOptions;
    private final AtomicInteger counter;

    JarServerFactory(Path java, Path jar, Path workDir, String secret) {
        this(java, jar, workDir, secret, Optional.empty(), List.of(), new AtomicInteger());
    }

    /**
     * {@code aotCache}: a JDK AOT cache passed to every server as {@code -XX:AOTCache}; {@code javaOptions}: more
     * JVM options for every server, before {@code -jar}.
     */
    JarServerFactory(Path java, Path jar, Path workDir, String secret, Optional<Path> aotCache,
                     List<String> javaOptions) {
        this(java, jar, workDir, secret, aotCache, javaOptions, new AtomicInteger());
    }

    private JarServerFactory(Path java, Path jar, Path workDir, String secret, Optional<Path> aotCache,
                             List<String> javaOptions, AtomicInteger counter) {
        this.java = java;
        this.jar = jar;
        this.workDir = workDir;
        this.secret = secret;
        this.aotCache = aotCache;
        this.javaOptions = List.copyOf(javaOptions);
        this.counter = counter;
    }

    @Override
    public Optional<Path> aotCache() {
        return aotCache;
    }

    @Override
    public List<String> javaOptions() {
        return javaOptions;
    }

    @Override
    public ServerFactory withoutAotCache() {
        return new JarServerFactory(java, jar, workDir, secret, Optional.empty(), javaOptions, counter);
    }

    @Override
    public String secret() {
        return secret;
    }

    @Override
    public ServerSpec create(Map<String, String> settings) {
        if (!Files.isRegularFile(jar)) {
            throw new BenchException("server jar not found at " + jar
                    + "; build it with ./mvnw -q -B -DskipTests package -pl bootstrap -am (bench/run does this)");
        }
        int n = counter.incrementAndGet();
        int port = freePort();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JWT_SECRET", secret);
        env.put("LISTEN_ADDR", HOST + ":" + port);
        env.put("DATABASE_DSN", workDir.resolve("server-" + n + ".db").toString());
        env.put("SQLITE_SYNCHRONOUS", "FULL");
        env.put("RATE_LIMIT_MESSAGES", "0");
        env.put("WS_MAX_CONNECTIONS_PER_USER", "100000");
        env.put("MAX_ROOM_MEMBERS", "1000000"); // fanout rooms of up to 5,000 members and more
        env.putAll(settings);
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        aotCache.ifPresent(cache -> {
            command.add("-XX:AOTCache=" + cache);
            command.add("-Xlog:aot*=error"); // as run.sh: the JVM's warnings about the cache's code, not shown
        });
        command.addAll(javaOptions);
        command.add("-jar");
        command.add(jar.toString());
        return new ServerSpec(command, env, HOST, port,
                workDir.resolve("server-" + n + ".log"));
    }

    /** A loopback port that was free a moment ago. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
