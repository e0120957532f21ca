package io.chatapi.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the project's root directory (the one holding {@code bench/} and {@code bootstrap/}) from the working directory up. */
final class ProjectRoot {
    private ProjectRoot() {
    }

    static Path find(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("bench")) && Files.isDirectory(dir.resolve("bootstrap"))
                    && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new BenchException("cannot find the project root (a directory with pom.xml, bench/ and bootstrap/) above "
                + start.toAbsolutePath() + "; run from the project or pass --jar and --out");
    }
}
