package io.chatapi.domain;

/** Text that comes from outside as JSON strings, made fit to store and send on. */
public final class Utf16 {
    private Utf16() {
    }

    /**
     * The text with every surrogate that has no partner replaced by U+FFFD, as a decoder replaces bytes that are no
     * character: such a string has no UTF-8 form, so it would be stored as {@code ?} and sent on as an escaped lone
     * surrogate. The text itself when it has none.
     */
    public static String wellFormed(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            boolean lone = Character.isSurrogate(c);
            if (lone && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(lone ? '\uFFFD' : c);
            }
        }
        return out == null ? text : out.toString();
    }
}
