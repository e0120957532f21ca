package io.chatapi.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Memory figures of another process: resident set from {@code /proc}, Java heap from {@code jcmd}. */
final class ProcessStats {
    private static final Pattern USED = Pattern.compile("used (\\d+)([KMG])");

    private ProcessStats() {
    }

    /** VmRSS of {@code pid} in KiB, or empty when the process is gone or this is not Linux. */
    static OptionalLong rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
            return OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Heap in use (KiB) per {@code jcmd <pid> GC.heap_info}, or empty when jcmd is missing or fails. */
    static OptionalLong heapUsedKb(Path javaHome, long pid) {
        Optional<Long> used = jcmd(javaHome, pid, "GC.heap_info").flatMap(ProcessStats::parseHeapUsedKb);
        return used.isPresent() ? OptionalLong.of(used.get()) : OptionalLong.empty();
    }

    /** Asks the process for a full collection (so that the heap figure after it is the live set). */
    static boolean gc(Path javaHome, long pid) {
        return jcmd(javaHome, pid, "GC.run").isPresent();
    }

    /** Sums the {@code used} figures of the heap lines (those before Metaspace) of GC.heap_info output. */
    static Optional<Long> parseHeapUsedKb(String output) {
        long total = 0;
        boolean found = false;
        for (String line : output.split("\n")) {
            if (line.contains("Metaspace") || line.contains("class space")) {
                break;
            }
            Matcher m = USED.matcher(line);
            if (m.find()) {
                long value = Long.parseLong(m.group(1));
                total += switch (m.group(2)) {
                    case "G" -> value * 1024 * 1024;
                    case "M" -> value * 1024;
                    default -> value;
                };
                found = true;
            }
        }
        return found ? Optional.of(total) : Optional.empty();
    }

    private static Optional<String> jcmd(Path javaHome, long pid, String command) {
        Path jcmd = javaHome.resolve("bin").resolve("jcmd");
        if (!Files.isExecutable(jcmd)) {
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
