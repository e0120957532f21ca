package io.chatapi.bootstrap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Typed reads of the environment that collect every problem instead of stopping at the first, so one
 * start-up attempt reports all bad settings. An empty value counts as unset. A bad value is recorded and
 * its default stands in until {@link #throwIfProblems()} ends the read.
 */
final class Env {
    private static final int MAX_ECHOED_CHARS = 80;
    private static final char REPLACEMENT = '\uFFFD';
    static final String DURATION_EXPECTED = "expected a duration like 500ms, 30s or 5m";
    /**
     * The longest duration a setting takes: the server adds durations to {@link System#nanoTime()} readings, and
     * Go's longest (about 292 years of nanoseconds) would overflow them.
     */
    static final Duration MAX_DURATION = Duration.ofHours(876_000);

    private final Map<String, String> values;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> notText = new HashSet<>();

    Env(Map<String, String> values) {
        this.values = values;
    }

    /**
     * The value when the variable is set and not empty. A value holding U+FFFD is refused: that is what bytes
     * that are not UTF-8 become when the environment is decoded, and two different secrets (say, random bytes)
     * would otherwise turn into the same key.
     */
    Optional<String> optional(Setting setting) {
        String value = values.get(setting.name());
        if (value != null && value.indexOf(REPLACEMENT) >= 0) {
            if (notText.add(setting.name())) {
                invalid(setting, value, "holds bytes that are not UTF-8 text (or the character U+FFFD); "
                        + "use text, such as the hex of random bytes");
            }
            return Optional.empty();
        }
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** True when the variable is set but its value was refused as not UTF-8 text. */
    boolean notText(Setting setting) {
        return notText.contains(setting.name());
    }

    /** Parses the value or, when unset, the default; {@code parse} throws IllegalArgumentException with the reason. */
    <T> T parse(Setting setting, Function<String, T> parse) {
        Optional<String> value = optional(setting);
        if (value.isPresent()) {
            try {
                return parse.apply(value.get());
            } catch (IllegalArgumentException e) {
                invalid(setting, value.get(), e.getMessage());
            }
        }
        return parse.apply(setting.defaultValue());
    }

    /** Parses the value when set; empty when unset or bad (a bad value is recorded). */
    <T> Optional<T> parseOptional(Setting setting, Function<String, T> parse) {
        Optional<String> value = optional(setting);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse.apply(value.get()));
        } catch (IllegalArgumentException e) {
            invalid(setting, value.get(), e.getMessage());
            return Optional.empty();
        }
    }

    Duration duration(Setting setting, Duration min, String belowMin) {
        return parse(setting, text -> {
            Duration d;
            try {
                d = GoDuration.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        GoDuration.OUT_OF_RANGE.equals(e.getMessage()) ? e.getMessage() : DURATION_EXPECTED, e);
            }
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException(d.isNegative() ? "must not be negative" : belowMin);
            }
            if (d.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("must be at most 876000h (100 years)");
            }
            return d;
        });
    }

    int integer(Setting setting, int min) {
        return integer(setting, min, Integer.MAX_VALUE);
    }

    int integer(Setting setting, int min, int max) {
        return parse(setting, text -> {
            if (!text.matches("-?[0-9]+")) {
                throw new IllegalArgumentException("expected a whole number");
            }
            int n;
            try {
                n = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("number out of range", e);
            }
            if (n < min) {
                throw new IllegalArgumentException("must be at least " + min);
            }
            if (n > max) {
                throw new IllegalArgumentException("must be at most " + max);
            }
            return n;
        });
    }

    double decimal(Setting setting, double min) {
        return parse(setting, text -> {
            if (!text.matches("-?[0-9]+(\\.[0-9]+)?")) {
                throw new IllegalArgumentException("expected a number like 10 or 0.5");
            }
            if (!text.matches("-?[0-9]{1,15}(\\.[0-9]{1,15})?")) {
                throw new IllegalArgumentException("must have at most 15 digits before the point and 15 after it");
            }
            double n = Double.parseDouble(text);
            if (n < min) {
                throw new IllegalArgumentException("must not be negative");
            }
            return n;
        });
    }

    boolean bool(Setting setting) {
        return parse(setting, text -> switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        });
    }

    /** One of the enum's constants, matched by name ignoring case. */
    <E extends Enum<E>> E choice(Setting setting, Class<E> type, String expected) {
        return parse(setting, text -> {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(text.toUpperCase(Locale.ROOT))) {
                    return constant;
                }
            }
            throw new IllegalArgumentException(expected);
        });
    }

    /** Records a problem that is not about one value (a missing required variable). */
    void problem(String message) {
        problems.add(message);
    }

    /** Records a bad value, shown only as far as the setting allows (never a secret, a URL without credentials). */
    void invalid(Setting setting, String value, String reason) {
        String shown = setting.shown(value);
        problems.add(shown == null
                ? "invalid " + setting.name() + ": " + reason
                : "invalid " + setting.name() + "=" + quote(shown) + ": " + reason);
    }

    void throwIfProblems() throws ConfigException {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /** The value in double quotes on one line: quotes, backslashes and control characters escaped, long values cut. */
    static String quote(String value) {
        String shown = value.length() > MAX_ECHOED_CHARS ? value.substring(0, MAX_ECHOED_CHARS) : value;
        StringBuilder out = new StringBuilder("\"");
        for (char c : shown.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        if (shown.length() < value.length()) {
            out.append("…");
        }
        return out.toString();
    }
}
