package io.chatapi.bootstrap;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;

/**
 * Refuses a JDK AOT cache ({@code -XX:AOTCache=…}) older than the server's jar: the JVM does not always notice
 * that a jar changed since the cache was made and would then run classes from the old build.
 */
final class AotCacheCheck {
    private static final String OPTION = "-XX:AOTCache=";

    private AotCacheCheck() {
    }

    /**
     * What is wrong with the cache named in {@code jvmArguments}, given the server's {@code jar}; empty when no
     * cache is used, the server does not run from a jar, or the cache is newer than the jar.
     */
    static Optional<String> problem(List<String> jvmArguments, Path jar) {
        Optional<Path> cache = jvmArguments.stream().filter(a -> a.startsWith(OPTION))
                .reduce((first, last) -> last).map(a -> Path.of(a.substring(OPTION.length())));
        if (cache.isEmpty() || !Files.isRegularFile(cache.get()) || !Files.isRegularFile(jar)) {
            return Optional.empty();
        }
        try {
            if (modified(jar).compareTo(modified(cache.get())) <= 0) {
                return Optional.empty();
            }
            return Optional.of("the AOT cache " + cache.get() + " is older than " + jar.getFileName()
                    + "; make it again (scripts/aot-cache.sh) or start without -XX:AOTCache");
        } catch (UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /**
     * The jar the server runs from, given the {@code java.class.path} property: {@code java -jar} makes it that
     * one jar. Not the code source of a loaded class: a class that comes from an AOT cache names the jar the
     * cache was made from, which is another file once the jar and the cache are copied elsewhere
     * (and one that a later build replaces). Anything but a single jar gives a path that is no jar.
     */
    static Path runningJar(String classPath) {
        if (classPath.isEmpty() || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
            return Path.of("");
        }
        try {
            return Path.of(classPath);
        } catch (InvalidPathException e) {
            return Path.of("");
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
