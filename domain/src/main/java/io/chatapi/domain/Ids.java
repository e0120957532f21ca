package io.chatapi.domain;

import java.security.SecureRandom;

/**
 * Opaque, unguessable identifiers: a type prefix and base-32 characters. Room and bot ids carry 20 random
 * characters (100 bits). Message ids carry the creation time in milliseconds (10 characters), then 16 random
 * characters (80 bits): new messages then sort after older ones, so the store appends to the end of its id
 * index instead of writing a page at a random place in it for every message.
 */
public final class Ids {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final int TIME_CHARS = 10;
    private static final SecureRandom RANDOM = drbg();

    private Ids() {
    }

    public static String room() {
        return next("room_");
    }

    public static String message() {
        return message(System.currentTimeMillis());
    }

    /** A message id for a message created at {@code epochMillis}. */
    static String message(long epochMillis) {
        StringBuilder sb = new StringBuilder(4 + TIME_CHARS + 16).append("msg_");
        for (int shift = 5 * (TIME_CHARS - 1); shift >= 0; shift -= 5) {
            sb.append(ALPHABET[(int) (epochMillis >>> shift) & 31]);
        }
        return appendRandom(sb, 16);
    }

    public static String bot() {
        return next(Principal.BOT_ID_PREFIX);
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
        return appendRandom(new StringBuilder(prefix.length() + 20).append(prefix), 20);
    }

    private static String appendRandom(StringBuilder sb, int chars) {
        byte[] bytes = new byte[chars];
        RANDOM.nextBytes(bytes);
        for (byte b : bytes) {
            sb.append(ALPHABET[b & 31]);
        }
        return sb.toString();
    }
}
