package io.chatapi.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@code bench/run}: a scenario name, the {@code --smoke} / {@code --quick} flags and
 * {@code --name value} (or {@code --name=value}) options. Every getter takes the normal default and the
 * smoke default, so a scenario states its two shapes in one place.
 */
record BenchOptions(String scenario, boolean smoke, boolean quick, Map<String, String> values) {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?");

    BenchOptions {
        values = Map.copyOf(values);
    }

    static BenchOptions parse(String... args) {
        if (args.length == 0) {
            throw new BenchException("no scenario given");
        }
        String scenario = args[0];
        if (scenario.startsWith("-")) {
            throw new BenchException("the first argument must be a scenario, not " + scenario);
        }
        boolean smoke = false;
        boolean quick = false;
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new BenchException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            if (name.equals("smoke")) {
                smoke = true;
                continue;
            }
            if (name.equals("quick")) {
                quick = true;
                continue;
            }
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new BenchException("option --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (name.isEmpty() || value.isEmpty()) {
                throw new BenchException("bad option: " + arg);
            }
            if (values.put(name, value) != null) {
                throw new BenchException("option --" + name + " given twice");
            }
        }
        return new BenchOptions(scenario, smoke, quick, values);
    }

    /** Fails when an option is not one of {@code allowed}, naming it and the allowed ones. */
    void requireOnly(Collection<String> allowed) {
        for (String name : values.keySet()) {
            if (!allowed.contains(name)) {
                throw new BenchException("unknown option --" + name + " for " + scenario
                        + " (known: " + String.join(", ", allowed.stream().sorted().map(n -> "--" + n).toList()) + ")");
            }
        }
    }

    /** An option holding words separated by spaces (JVM options, say); empty when absent. */
    List<String> words(String name) {
        return value(name).stream().flatMap(v -> Arrays.stream(v.trim().split("\\s+"))).filter(w -> !w.isEmpty())
                .toList();
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    String string(String name, String normal, String smokeDefault) {
        return value(name).orElse(smoke ? smokeDefault : normal);
    }

    int integer(String name, int normal, int smokeDefault) {
        return value(name).map(v -> parseInt(name, v)).orElse(smoke ? smokeDefault : normal);
    }

    double decimal(String name, double normal, double smokeDefault) {
        return value(name).map(v -> {
            try {
                double d = Double.parseDouble(v);
                if (!(d > 0) || Double.isInfinite(d)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new BenchException("--" + name + " must be a positive number, not " + v);
            }
        }).orElse(smoke ? smokeDefault : normal);
    }

    List<Integer> integers(String name, List<Integer> normal, List<Integer> smokeDefault) {
        Optional<String> given = value(name);
        if (given.isEmpty()) {
            return smoke ? smokeDefault : normal;
        }
        List<Integer> out = new ArrayList<>();
        for (String part : given.get().split(",")) {
            out.add(parseInt(name, part.trim().replace("_", "")));
        }
        return List.copyOf(out);
    }

    Duration duration(String name, Duration normal, Duration smokeDefault) {
        return value(name).map(v -> parseDuration(name, v)).orElse(smoke ? smokeDefault : normal);
    }

    static Duration parseDuration(String name, String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new BenchException("--" + name + " must be a duration such as 500ms, 10s or 5m, not " + text);
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "m" -> amount * 60_000;
            default -> amount * 1_000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    private static int parseInt(String name, String text) {
        try {
            int v = Integer.parseInt(text);
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new BenchException("--" + name + " must be a positive whole number, not " + text);
        }
    }
}
