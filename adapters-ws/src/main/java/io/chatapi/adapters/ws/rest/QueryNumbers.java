package io.chatapi.adapters.ws.rest;

/**
 * Whole numbers in query parameters, read as the Go server's {@code strconv.Atoi} reads them: an optional sign and
 * ASCII digits, nothing else (no spaces, no other scripts' digits).
 */
final class QueryNumbers {
    private QueryNumbers() {
    }

    /**
     * A page size: missing, unparseable or below 1 means {@code fallback}; above {@code max}, however many digits,
     * means {@code max}.
     */
    static int limit(String raw, int fallback, int max) {
        if (raw == null) {
            return fallback;
        }
        boolean negative = raw.startsWith("-");
        String digits = negative || raw.startsWith("+") ? raw.substring(1) : raw;
        if (negative || !isDigits(digits)) {
            return fallback;
        }
        try {
            long value = Long.parseLong(digits);
            return value < 1 ? fallback : (int) Math.min(max, value);
        } catch (NumberFormatException e) {
            return max; // all digits, too many for a long
        }
    }

    /** A position: missing, unparseable or negative means 0; all digits beyond a long means the largest long. */
    static long position(String raw) {
        String digits = raw != null && raw.startsWith("+") ? raw.substring(1) : raw;
        if (digits == null || !isDigits(digits)) {
            return 0;
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static boolean isDigits(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
