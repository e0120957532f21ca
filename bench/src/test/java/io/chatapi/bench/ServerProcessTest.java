package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ServerProcessTest {
    @TempDir
    Path dir;

    @Test
    void aMissingJarIsNamedWithTheCommandThatBuildsIt() {
        JarServerFactory factory = new JarServerFactory(JavaCommand.java(), dir.resolve("missing.jar"), dir, Tokens.randomSecret());
        assertThatThrownBy(() -> factory.create(Map.of()))
                .isInstanceOf(BenchException.class)
                .hasMessageContaining("missing.jar")
                .hasMessageContaining("package -pl bootstrap -am");
    }

    @Test
    void anAotCacheAndJavaOptionsArePassedToEveryServerAndTheCacheCanBeLeftOut() throws Exception {
        Path jar = java.nio.file.Files.createFile(dir.resolve("chatapi.jar"));
        Path cache = dir.resolve("chatapi.aot");
        JarServerFactory factory = new JarServerFactory(JavaCommand.java(), jar, dir, Tokens.randomSecret(),
                java.util.Optional.of(cache), List.of("-Xmx1g", "-XX:+UseSerialGC"));
        assertThat(factory.create(Map.of()).command()).containsExactly(JavaCommand.java().toString(),
                "-XX:AOTCache=" + cache, "-Xlog:aot*=error", "-Xmx1g", "-XX:+UseSerialGC", "-jar", jar.toString());
        ServerFactory plain = factory.withoutAotCache();
        assertThat(plain.aotCache()).isEmpty();
        ServerSpec spec = plain.create(Map.of());
        assertThat(spec.command()).containsExactly(JavaCommand.java().toString(), "-Xmx1g", "-XX:+UseSerialGC",
                "-jar", jar.toString());
        assertThat(spec.env().get("DATABASE_DSN")).isNotEqualTo(factory.create(Map.of()).env().get("DATABASE_DSN"));
    }

    @Test
    void theAotCacheAndTheJvmOptionsFileAreTheOnesBesideTheJarUnlessTheOptionsSayOtherwise() throws Exception {
        Path jar = dir.resolve("chatapi.jar");
        besideTheJarUnlessTheOptionSaysOtherwise("aot-cache", "chatapi.aot", Bench::aotCache, jar);
        besideTheJarUnlessTheOptionSaysOtherwise("jvm-options", "jvm.options", Bench::jvmOptionsFile, jar);
    }

    private void besideTheJarUnlessTheOptionSaysOtherwise(
            String option, String name, BiFunction<BenchOptions, Path, Optional<Path>> file, Path jar)
            throws Exception {
        assertThat(file.apply(BenchOptions.parse("startup"), jar)).isEmpty();
        Path beside = java.nio.file.Files.createFile(dir.resolve(name));
        assertThat(file.apply(BenchOptions.parse("startup"), jar)).contains(beside.toAbsolutePath());
        assertThat(file.apply(BenchOptions.parse("startup", "--" + option, "off"), jar)).isEmpty();
        assertThat(file.apply(BenchOptions.parse("startup", "--" + option, "other.file"), jar))
                .contains(Path.of("other.file").toAbsolutePath());
    }

    @Test
    void theStartupRowsNameTheCommandTheServersRanWith() throws Exception {
        Path jar = java.nio.file.Files.createFile(dir.resolve("chatapi.jar"));
        JarServerFactory factory = new JarServerFactory(JavaCommand.java(), jar, dir, Tokens.randomSecret(),
                java.util.Optional.of(dir.resolve("chatapi.aot")), List.of("@" + dir.resolve("jvm.options"), "-Xmx1g"));
        assertThat(StartupScenario.command(factory)).isEqualTo("java -XX:AOTCache=chatapi.aot @jvm.options -Xmx1g -jar");
        assertThat(StartupScenario.command(factory.withoutAotCache())).isEqualTo("java @jvm.options -Xmx1g -jar");
        assertThat(StartupScenario.command(new JarServerFactory(JavaCommand.java(), jar, dir, Tokens.randomSecret())))
                .isEqualTo("java -jar");
    }

    @Test
    void theJarFactoryConfiguresTheServerThroughItsEnvironment() throws Exception {
        Path jar = java.nio.file.Files.createFile(dir.resolve("chatapi.jar"));
        JarServerFactory factory = new JarServerFactory(JavaCommand.java(), jar, dir, Tokens.randomSecret());
        ServerSpec spec = factory.create(Map.of("SQLITE_SYNCHRONOUS", "NORMAL", "BENCH_API_KEY", "k"));
        assertThat(spec.command()).containsExactly(JavaCommand.java().toString(), "-jar", jar.toString());
        assertThat(spec.env())
                .containsEntry("LISTEN_ADDR", "127.0.0.1:" + spec.port())
                .containsEntry("SQLITE_SYNCHRONOUS", "NORMAL")
                .containsEntry("RATE_LIMIT_MESSAGES", "0")
                .containsEntry("BENCH_API_KEY", "k")
                .containsKeys("JWT_SECRET", "DATABASE_DSN", "WS_MAX_CONNECTIONS_PER_USER")
                .doesNotContainKey("ALLOWED_ORIGINS");
        assertThat(factory.create(Map.of()).env().get("DATABASE_DSN")).isNotEqualTo(spec.env().get("DATABASE_DSN"));
    }

    @Test
    void aServerThatExitsEarlyIsReportedWithItsOutput() {
        ServerFactory factory = FakeHealthServer.command(dir, List.of(JavaCommand.java().toString(), "-version"), Map.of());
        assertThatThrownBy(() -> ServerProcess.start(factory.create(Map.of()), Duration.ofSeconds(20)))
                .isInstanceOf(BenchException.class)
                .hasMessageContaining("exited with code 0")
                .hasMessageContaining("version");
    }

    @Test
    void aServerThatNeverBecomesHealthyIsKilledAfterTheTimeout() {
        ServerFactory factory = FakeHealthServer.command(dir, List.of("sleep", "30"), Map.of());
        long start = System.nanoTime();
        assertThatThrownBy(() -> ServerProcess.start(factory.create(Map.of()), Duration.ofMillis(500)))
                .isInstanceOf(BenchException.class)
                .hasMessageContaining("did not answer GET /health");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().orElse("").endsWith("sleep"))).isEmpty();
    }

    @Test
    void startsProbesStopsWithSigtermAndRestartsOnTheSamePort() throws Exception {
        ServerFactory factory = FakeHealthServer.factory(dir);
        ServerSpec spec = factory.create(Map.of());
        ServerProcess server = ServerProcess.start(spec, Duration.ofSeconds(30));
        assertThat(server.startup()).isPositive();
        assertThat(server.alive()).isTrue();
        assertThat(HealthProbe.status(spec.host(), spec.port(), 1000)).isEqualTo(200);
        assertThat(ProcessStats.rssKb(server.pid())).isPresent();
        assertThat(ProcessStats.heapUsedKb(JavaCommand.javaHome(), server.pid())).isPresent();
        assertThat(ProcessStats.gc(JavaCommand.javaHome(), server.pid())).isTrue();

        int exit = server.stop(Duration.ofSeconds(10));
        assertThat(exit).isEqualTo(143);
        assertThat(ServerProcess.killed(exit)).isFalse();
        assertThat(HealthProbe.status(spec.host(), spec.port(), 500)).isEqualTo(-1);

        try (ServerProcess again = server.restart(Duration.ofSeconds(30))) {
            assertThat(again.spec().port()).isEqualTo(spec.port());
            assertThat(HealthProbe.status(spec.host(), spec.port(), 1000)).isEqualTo(200);
            assertThat(again.logTail(5)).contains("secret set: true");
        }
    }
}
