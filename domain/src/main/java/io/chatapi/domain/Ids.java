package io.chatapi.domain;

import java.security.SecureRandom;

/** Opaque, unguessable identifiers: a type prefix and 20 random base-32 characters (100 bits). */
public final class Ids {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = drbg();

    private Ids() {
    }

    public static String room() {
        return next("room_");
    }

    public static String message() {
        return next("msg_");
    }

    public static String bot() {
        return next("bot_");
    }

    /** A seeded-once deterministic random bit generator: as unguessable, without a system call per id. */
    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    public static String next(String prefix) {
        byte[] bytes = new byte[20];
        RANDOM.nextBytes(bytes);
        StringBuilder sb = new StringBuilder(prefix.length() + 20).append(prefix);
        for (byte b : bytes) {
            sb.append(ALPHABET[b & 31]);
        }
        return sb.toString();
    }
}
