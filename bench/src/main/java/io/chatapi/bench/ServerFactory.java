package io.chatapi.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Makes server start specifications; every call gets a fresh database file and a free loopback port. */
interface ServerFactory {
    /** The JWT secret every server made here is started with (tokens are minted with it). */
    String secret();

    /** {@code settings} are environment variables on top of the benchmark defaults. */
    ServerSpec create(Map<String, String> settings);

    /** The JDK AOT cache servers start with, if any. */
    default Optional<Path> aotCache() {
        return Optional.empty();
    }

    /** The JVM options servers start with besides the AOT cache ({@code @file} for an argument file), in order. */
    default List<String> javaOptions() {
        return List.of();
    }

    /** The same servers started without an AOT cache (plain {@code java -jar}). */
    default ServerFactory withoutAotCache() {
        return this;
    }
}
