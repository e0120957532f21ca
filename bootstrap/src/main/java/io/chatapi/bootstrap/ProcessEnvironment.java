package io.chatapi.bootstrap;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The process environment with every value decoded as UTF-8, whatever the locale. The JVM decodes
 * {@code System.getenv()} with the locale's charset ({@code sun.jnu.encoding}: ASCII when no {@code LANG} is
 * set, as in many containers), so a secret with non-ASCII characters would otherwise not be "the raw UTF-8 bytes
 * of the value" (PROTOCOL §1). On Linux the raw bytes are read from {@code /proc/self/environ}; elsewhere, or
 * when that file cannot be read, {@code System.getenv()} is used as it is.
 */
final class ProcessEnvironment {
    private static final Path ENVIRON = Path.of("/proc/self/environ");

    private ProcessEnvironment() {
    }

    static Map<String, String> utf8() {
        String jnu = System.getProperty("sun.jnu.encoding", "");
        if (isUtf8(jnu) || !Files.isReadable(ENVIRON)) {
            return System.getenv();
        }
        try {
            return parse(Files.readAllBytes(ENVIRON));
        } catch (IOException | RuntimeException e) {
            return System.getenv();
        }
    }

    /** {@code NAME=value} entries separated by NUL bytes, each decoded as UTF-8. */
    static Map<String, String> parse(byte[] environ) {
        Map<String, String> env = new HashMap<>();
        int start = 0;
        for (int i = 0; i <= environ.length; i++) {
            if (i == environ.length || environ[i] == 0) {
                if (i > start) {
                    String entry = new String(environ, start, i - start, StandardCharsets.UTF_8);
                    int eq = entry.indexOf('=');
                    if (eq > 0) {
                        env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
                    }
                }
                start = i + 1;
            }
        }
        return Map.copyOf(env);
    }

    private static boolean isUtf8(String charset) {
        try {
            return Charset.forName(charset).equals(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
