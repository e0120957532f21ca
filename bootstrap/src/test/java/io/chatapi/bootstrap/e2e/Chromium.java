package io.chatapi.bootstrap.e2e;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless Chromium opening one page, as a user's browser would. The binary is {@code CHROMIUM} when set,
 * else {@code chromium} or {@code chromium-browser} on the {@code PATH} ({@code test.sh} installs Debian's
 * package when it can). Without one the browser tests are skipped, except under {@code CI=true}, where they fail.
 */
final class Chromium implements AutoCloseable {
    private final Process process;
    private final Path profile;
    private final Path output;

    private Chromium(Process process, Path profile, Path output) {
        this.process = process;
        this.profile = profile;
        this.output = output;
    }

    /** Starts Chromium on {@code url} with a new empty profile. */
    static Chromium open(String url) {
        Path binary = binary();
        try {
            Path profile = Files.createTempDirectory("chatapi-chromium");
            Path output = profile.resolveSibling(profile.getFileName() + ".log");
            List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, url));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            return new Chromium(process, profile, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What Chromium printed, for a failing test's message. */
    String log() {
        try {
            return Files.exists(output) ? Files.readString(output) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static Path binary() {
        Optional<Path> found = Optional.ofNullable(System.getenv("CHROMIUM")).filter(s -> !s.isBlank()).map(Path::of)
                .or(() -> onPath("chromium")).or(() -> onPath("chromium-browser"));
        if (found.isEmpty()) {
            String why = "no Chromium: set CHROMIUM or install Debian's chromium package (test.sh does as root)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        return found.get();
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(java.io.File.pathSeparator)).map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable).findFirst();
    }

    /** Ends Chromium and every process it started, and removes its profile. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tree.forEach(p -> p.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> p).join());
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            Files.deleteIfExists(output);
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
