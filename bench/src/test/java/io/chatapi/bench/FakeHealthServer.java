package io.chatapi.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A stand-in server for tests: a single Java source file that answers {@code GET /health} on {@code LISTEN_ADDR}. */
final class FakeHealthServer {
    private static final String SOURCE = """
            import com.sun.net.httpserver.HttpServer;
            import java.net.InetSocketAddress;

            public class HealthOnly {
                public static void main(String[] args) throws Exception {
                    String[] addr = System.getenv("LISTEN_ADDR").split(":");
                    long delay = Long.parseLong(System.getenv().getOrDefault("START_DELAY_MS", "0"));
                    Thread.sleep(delay);
                    HttpServer server = HttpServer.create(new InetSocketAddress(addr[0], Integer.parseInt(addr[1])), 50);
                    server.createContext("/health", exchange -> {
                        byte[] body = "{\\"status\\":\\"ok\\"}".getBytes();
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                        exchange.close();
                    });
                    server.start();
                    System.out.println("listening; secret set: " + (System.getenv("JWT_SECRET") != null));
                }
            }
            """;

    private FakeHealthServer() {
    }

    /** A factory whose servers run the stand-in with the same environment the jar would get. */
    static ServerFactory factory(Path dir) throws IOException {
        Path source = dir.resolve("HealthOnly.java");
        Files.writeString(source, SOURCE);
        return command(dir, List.of(JavaCommand.java().toString(), source.toString()), Map.of());
    }

    static ServerFactory command(Path dir, List<String> command, Map<String, String> extraEnv) {
        JarServerFactory real = new JarServerFactory(JavaCommand.java(), dir.resolve("unused.jar"), dir, Tokens.randomSecret());
        return new ServerFactory() {
            private int n;

            @Override
            public String secret() {
                return real.secret();
            }

            @Override
            public ServerSpec create(Map<String, String> settings) {
                int port = JarServerFactory.freePort();
                Map<String, String> env = new java.util.HashMap<>(settings);
                env.putAll(extraEnv);
                env.put("LISTEN_ADDR", JarServerFactory.HOST + ":" + port);
                env.put("JWT_SECRET", real.secret());
                return new ServerSpec(command, env, JarServerFactory.HOST, port, dir.resolve("fake-" + (++n) + ".log"));
            }
        };
    }
}
