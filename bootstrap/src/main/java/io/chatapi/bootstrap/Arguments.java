package io.chatapi.bootstrap;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The command line: the server takes its settings from the environment only, so it knows two arguments,
 * {@code --help} (the settings with their defaults) and {@code --version}, and refuses every other one rather
 * than start with a setting it was given silently ignored ({@code --port 9000}, say).
 */
final class Arguments {
    private static final String DOCS = "docs/configuration.md";
    private static final Set<String> KNOWN = Set.of("--help", "-h", "--version");

    private Arguments() {
    }

    /**
     * Acts on {@code args}: empty when the server should start (no arguments), else the exit status after
     * writing the answer to {@code out} (help, version) or the refusal to {@code err}.
     */
    static OptionalInt handle(String[] args, String version, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            return OptionalInt.empty();
        }
        if (args.length == 1) {
            switch (args[0]) {
                case "--help", "-h" -> {
                    out.print(help(version));
                    return OptionalInt.of(0);
                }
                case "--version" -> {
                    out.println("chatapi " + version);
                    return OptionalInt.of(0);
                }
                default -> {
                }
            }
        }
        String unknown = Arrays.stream(args).filter(arg -> !KNOWN.contains(arg)).findFirst().orElse(null);
        err.println(unknown == null ? "chatapi: --help and --version are given alone"
                : "chatapi: unknown argument " + quoted(unknown) + ": the server takes no other arguments, its "
                        + "settings come from environment variables (java -jar chatapi.jar --help lists them)");
        return OptionalInt.of(2);
    }

    /** The usage text: every setting, in the order of {@link Setting}, with its default. */
    static String help(String version) {
        StringBuilder text = new StringBuilder()
                .append("chatapi ").append(version).append('\n')
                .append("Usage: JWT_SECRET=... java -jar chatapi.jar\n")
                .append("       java -jar chatapi.jar --help | --version\n\n")
                .append("Every setting is an environment variable; an empty value counts as unset.\n")
                .append("What each one does: ").append(DOCS).append(" in the source.\n\n");
        int width = 0;
        for (Setting setting : Setting.values()) {
            width = Math.max(width, setting.name().length());
        }
        for (Setting setting : Setting.values()) {
            String value = setting == Setting.JWT_SECRET ? "required"
                    : setting.defaultValue() == null ? "unset" : "default " + setting.defaultValue();
            text.append("  ").append(setting.name()).append(" ".repeat(width - setting.name().length() + 2))
                    .append(value).append('\n');
        }
        return text.toString();
    }

    /** The argument as typed, cut to 100 characters, control characters shown as {@code \\uXXXX}. */
    private static String quoted(String arg) {
        StringBuilder out = new StringBuilder("'");
        arg.codePoints().limit(100).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(arg.codePointCount(0, arg.length()) > 100 ? "…'" : "'").toString();
    }
}
