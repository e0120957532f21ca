package io.chatapi.domain;

/**
 * White space as Unicode's White_Space property has it, the set Go's {@code unicode.IsSpace} uses: tab to
 * carriage return, U+0085, and the space and separator characters (no-break spaces included). Unlike
 * {@link String#isBlank}, the separators U+001C–U+001F are not white space and U+00A0, U+2007, U+202F are.
 */
public final class WhiteSpace {
    private WhiteSpace() {
    }

    /** True when the text is empty or every character is white space (all of them are in the BMP). */
    public static boolean only(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean space = c >= '\t' && c <= '\r' || c == 0x85 || Character.isSpaceChar(c); // Zs, Zl, Zp
            if (!space) {
                return false;
            }
        }
        return true;
    }
}
