package io.chatapi.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AotCacheCheckTest {
    @TempDir
    Path dir;

    @Test
    void aCacheNewerThanTheJarOrNoCacheAtAllIsFine() throws Exception {
        Path jar = file("chatapi.jar", 100);
        Path cache = file("chatapi.aot", 200);

        assertThat(AotCacheCheck.problem(List.of("-XX:AOTCache=" + cache), jar)).isEmpty();
        assertThat(AotCacheCheck.problem(List.of("-Xmx1g"), jar)).isEmpty();
        assertThat(AotCacheCheck.problem(List.of("-XX:AOTCache=" + dir.resolve("missing.aot")), jar)).isEmpty();
        assertThat(AotCacheCheck.problem(List.of("-XX:AOTCache=" + cache), dir)).isEmpty();
    }

    @Test
    void aCacheOlderThanTheJarIsRefusedNamingItAndTheFix() throws Exception {
        Path jar = file("chatapi.jar", 300);
        Path cache = file("chatapi.aot", 200);

        assertThat(AotCacheCheck.problem(List.of("-Xmx1g", "-XX:AOTCache=" + cache), jar)).hasValueSatisfying(p ->
                assertThat(p).contains("chatapi.jar").contains("scripts/aot-cache.sh"));
    }

    @Test
    void theRunningJarIsTheOneOnTheClassPathWhereverItWasCopied() throws Exception {
        Path jar = file("chatapi.jar", 300);
        Path cache = file("chatapi.aot", 200);

        assertThat(AotCacheCheck.runningJar(jar.toString())).isEqualTo(jar);
        assertThat(AotCacheCheck.problem(List.of("-XX:AOTCache=" + cache), AotCacheCheck.runningJar(jar.toString())))
                .hasValueSatisfying(p -> assertThat(p).contains("chatapi.jar"));
        assertThat(AotCacheCheck.runningJar("target/classes")).isEqualTo(Path.of(""));
        assertThat(AotCacheCheck.runningJar(jar + java.io.File.pathSeparator + "other.jar")).isEqualTo(Path.of(""));
        assertThat(AotCacheCheck.runningJar("")).isEqualTo(Path.of(""));
    }

    private Path file(String name, long epochSecond) throws Exception {
        Path file = Files.writeString(dir.resolve(name), name);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_700_000_000L + epochSecond)));
        return file;
    }
}
