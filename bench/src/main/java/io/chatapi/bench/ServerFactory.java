package io.chatapi.bench;

import java.util.Map;

/** Makes server start specifications; every call gets a fresh database file and a free loopback port. */
interface ServerFactory {
    /** The JWT secret every server made here is started with (tokens are minted with it). */
    String secret();

    /** {@code settings} are environment variables on top of the benchmark defaults. */
    ServerSpec create(Map<String, String> settings);
}
