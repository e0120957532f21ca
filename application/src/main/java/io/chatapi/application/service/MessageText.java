package io.chatapi.application.service;

import io.chatapi.domain.ChatException;
import io.chatapi.domain.Member;
import io.chatapi.domain.WhiteSpace;
import java.util.ArrayList;
import java.util.List;

/** Text rules shared by the services (content limits, optional fields) and member-list helpers. */
final class MessageText {
    private MessageText() {
    }

    /**
     * Content must hold something besides white space, and be at most {@code maxChars} UTF-16 code units. White
     * space is Unicode's (its White_Space property, the set Go's {@code unicode.IsSpace} has): no-break spaces
     * (U+00A0, U+2007, U+202F) and U+0085 too, which {@link String#isBlank} does not count, and not the separators
     * U+001C–U+001F, which it does; zero-width characters (U+200B, U+FEFF) are not white space.
     */
    static void requireContent(String content, int maxChars) {
        if (content == null || WhiteSpace.only(content)) {
            throw ChatException.invalid("content is required");
        }
        if (content.length() > maxChars) {
            throw ChatException.tooLarge("content is longer than " + maxChars + " UTF-16 code units");
        }
    }

    /** An optional text field must be at most {@code maxChars} UTF-16 code units. */
    static void requireAtMost(String field, String value, int maxChars) {
        if (value != null && value.length() > maxChars) {
            throw ChatException.tooLarge(field + " is longer than " + maxChars + " UTF-16 code units");
        }
    }

    /** {@code value} cut to at most {@code maxChars} UTF-16 units, never between the two halves of a pair. */
    static String atMost(String value, int maxChars) {
        if (value == null || value.length() <= maxChars) {
            return value;
        }
        int end = Character.isHighSurrogate(value.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return value.substring(0, end);
    }

    /** Null for null or empty text (optional fields stored as absent). */
    static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** Null for null text or text of white space only ({@link WhiteSpace}). */
    static String blankToNull(String value) {
        return value == null || WhiteSpace.only(value) ? null : value;
    }

    static List<String> userIds(List<Member> members) {
        List<String> ids = new ArrayList<>(members.size());
        for (Member member : members) {
            ids.add(member.userId());
        }
        return ids;
    }
}
