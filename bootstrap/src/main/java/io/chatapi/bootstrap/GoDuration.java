package io.chatapi.bootstrap;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Parses durations written as Go's {@code time.ParseDuration} accepts them: an optional sign, then one or
 * more decimal numbers each followed by a unit ({@code ns}, {@code us}/{@code µs}, {@code ms}, {@code s},
 * {@code m}, {@code h}), as in {@code 500ms}, {@code 1m30s} or {@code 1.5h}; a bare {@code 0} is zero.
 * Fractions below a nanosecond are dropped, and the total must fit Go's range (about 292 years).
 */
final class GoDuration {
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L,
            "\u03bcs", 1_000L,
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);
    static final String OUT_OF_RANGE = "out of range (at most about 292 years)";
    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private GoDuration() {
    }

    /** The duration, possibly negative; throws {@link IllegalArgumentException} when the text is not one. */
    static Duration parse(String text) {
        int i = 0;
        boolean negative = false;
        if (!text.isEmpty() && (text.charAt(0) == '-' || text.charAt(0) == '+')) {
            negative = text.charAt(0) == '-';
            i = 1;
        }
        if (text.substring(i).equals("0")) {
            return Duration.ZERO;
        }
        if (i == text.length()) {
            throw new IllegalArgumentException("empty duration");
        }
        BigDecimal total = BigDecimal.ZERO;
        while (i < text.length()) {
            int start = i;
            while (i < text.length() && (isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                i++;
            }
            String number = text.substring(start, i);
            if (!number.matches("[0-9]+\\.?[0-9]*|\\.[0-9]+")) {
                throw new IllegalArgumentException("bad number in duration");
            }
            int unitStart = i;
            while (i < text.length() && !isDigit(text.charAt(i)) && text.charAt(i) != '.') {
                i++;
            }
            Long unit = NANOS_PER_UNIT.get(text.substring(unitStart, i));
            if (unit == null) {
                throw new IllegalArgumentException("missing or unknown unit in duration");
            }
            total = total.add(new BigDecimal(number)
                    .multiply(BigDecimal.valueOf(unit)));
        }
        BigInteger nanos = total.setScale(0, RoundingMode.DOWN).toBigIntegerExact();
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException(OUT_OF_RANGE);
        }
        long value = nanos.longValueExact();
        return Duration.ofNanos(negative ? -value : value);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
