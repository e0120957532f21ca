package io.chatapi.adapters.sqlite;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.sqlite.JDBC;
import org.sqlite.util.LibraryLoaderUtil;
import org.sqlite.util.OSInfo;

/**
 * Lets sqlite-jdbc load its native library from a copy unpacked beside its jar at build time instead of
 * copying it out of the jar into a temporary file on every start (about 100 ms of start-up). The packaged
 * server has {@code libs/sqlite-jdbc-<version>.jar} and {@code libs/sqlite-jdbc-<version>-native/} holding the
 * jar's {@code org/sqlite/native/<os>/<arch>/} folders; the folder is named after the jar, so a different
 * sqlite-jdbc jar never picks up another version's library. Without that folder (tests, another platform)
 * or when {@code org.sqlite.lib.path} is already set, sqlite-jdbc loads as it always does.
 */
final class NativeLibrary {
    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    static final String NAME_PROPERTY = "org.sqlite.lib.name";

    private NativeLibrary() {
    }

    /** Sets sqlite-jdbc's library path and name to the unpacked copy when there is one; once, before the first connection. */
    static void preferUnpacked() {
        if (System.getProperty(PATH_PROPERTY) != null) {
            return;
        }
        driverJar().flatMap(jar -> unpacked(jar, resourcePath(), LibraryLoaderUtil.getNativeLibName()))
                .ifPresent(library -> {
                    System.setProperty(PATH_PROPERTY, library.getParent().toString());
                    System.setProperty(NAME_PROPERTY, library.getFileName().toString());
                });
    }

    /**
     * The folder in the jar that holds this platform's library, {@code /org/sqlite/native/<os>/<arch>}, for the
     * platforms whose folders the build unpacks. sqlite-jdbc's own lookup
     * ({@code LibraryLoaderUtil.getNativeLibResourcePath()}) runs {@code uname -o} in a child process on Linux to
     * tell Termux on Android apart, about 60 ms of start-up; a platform this does not name gets that lookup, and a
     * wrong guess costs nothing: when the library does not load, sqlite-jdbc goes on to its own lookup.
     */
    static String resourcePath() {
        String os = System.getProperty("os.name", "");
        String folder;
        if (os.contains("Linux")) {
            folder = OSInfo.isMusl() ? "Linux-Musl" : "Linux";
        } else if (os.contains("Mac") || os.contains("Darwin")) {
            folder = "Mac";
        } else if (os.contains("Windows")) {
            folder = "Windows";
        } else {
            return LibraryLoaderUtil.getNativeLibResourcePath();
        }
        return "/org/sqlite/native/" + folder + "/" + OSInfo.getArchName();
    }

    /**
     * The library for {@code resourcePath} (as in the jar, {@code /org/sqlite/native/Linux/x86_64}) and
     * {@code name} in the folder {@code <jar name without .jar>-native} beside {@code jar}, when that file exists.
     */
    static Optional<Path> unpacked(Path jar, String resourcePath, String name) {
        String jarName = jar.getFileName() == null ? "" : jar.getFileName().toString();
        if (!jarName.endsWith(".jar")) {
            return Optional.empty();
        }
        Path folder = jar.resolveSibling(jarName.substring(0, jarName.length() - ".jar".length()) + "-native");
        Path library = folder.resolve(resourcePath.replaceFirst("^/+", "")).resolve(name).normalize();
        return library.startsWith(folder) && Files.isRegularFile(library) ? Optional.of(library) : Optional.empty();
    }

    private static Optional<Path> driverJar() {
        try {
            var source = JDBC.class.getProtectionDomain().getCodeSource();
            return source == null ? Optional.empty() : Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
