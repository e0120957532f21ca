package io.chatapi.domain;

import java.util.List;

/**
 * The deduplication key of a direct-message room: the same for both orders of a pair, and distinct for
 * distinct pairs whatever characters the ids contain (the first id is length-prefixed).
 */
public final class DmKey {
    private DmKey() {
    }

    public static String of(String a, String b) {
        String first = a.compareTo(b) <= 0 ? a : b;
        String second = first == a ? b : a;
        return first.length() + ":" + first + second;
    }

    /** The two user ids a key was made of, in key order; {@link IllegalArgumentException} when it is no key. */
    public static List<String> pair(String key) {
        int colon = key.indexOf(':');
        try {
            int length = Integer.parseInt(key.substring(0, Math.max(colon, 0)));
            int start = colon + 1;
            return List.of(key.substring(start, start + length), key.substring(start + length));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a dm key", e);
        }
    }
}
