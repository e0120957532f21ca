package io.chatapi.domain;

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
}
