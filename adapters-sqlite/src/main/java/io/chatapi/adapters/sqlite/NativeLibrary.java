package io.chatapi.adapters.sqlite;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.sqlite.JDBC;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;
import org.sqlite.util.OSInfo;

/**
 * Lets sqlite-jdbc load its native library from a copy unpacked beside its jar at build time instead of
 * copying it out of the jar into a temporary file on every start (about 100 ms of start-up). The packaged
 * server is {@code chatapi.jar}, which holds sqlite-jdbc, and the build unpacks the jar's
 * {@code org/sqlite/native/<os>/<arch>/} folders into {@code chatapi-native/} beside it: the folder is named
 * after the jar that holds the driver. The copy is used only when it is the very file the jar holds (same size
 * and CRC-32 as the jar's entry), so a folder left over from another build is never loaded. Without that folder
 * (the jar copied alone, tests, another platform) or when {@code org.sqlite.lib.path} is already set,
 * sqlite-jdbc loads as it always does.
 */
final class NativeLibrary {
    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    static final String NAME_PROPERTY = "org.sqlite.lib.name";

    /** sqlite-jdbc's loader logs through this logger (SLF4J, then JUL); held so that the filter set on it stays. */
    private static final Logger LOADER = Logger.getLogger(SQLiteJDBCLoader.class.getName());
    private static final Logger LOG = Logger.getLogger(NativeLibrary.class.getName());

    private NativeLibrary() {
    }

    /** Keeps the loader's records with a stack trace at {@code FINE}, remembering the first one's cause. */
    private static final class LoaderLog implements Filter {
        final Filter previous;
        private volatile String firstFailure;

        LoaderLog(Filter previous) {
            this.previous = previous;
        }

        @Override
        public boolean isLoggable(LogRecord record) {
            if (record.getThrown() == null) {
                return previous == null || previous.isLoggable(record);
            }
            if (firstFailure == null) {
                firstFailure = String.valueOf(record.getThrown().getMessage());
            }
            LOG.log(Level.FINE, "loading SQLite's native library: " + record.getMessage(), record.getThrown());
            return false;
        }

        Optional<String> firstFailure() {
            return Optional.ofNullable(firstFailure);
        }
    }

    /**
     * Loads SQLite's native library (the unpacked copy when there is one, see {@link #preferUnpacked()}), once,
     * before the first connection. sqlite-jdbc logs each way it tried with its stack trace before it gives up;
     * those records are kept at {@code FINE} and the failure is thrown as one message: usually a temporary
     * directory that does not allow running a library ({@code noexec}), into which sqlite-jdbc copied it.
     *
     * @throws NativeLibraryException when the library cannot be loaded
     */
    static void load() {
        preferUnpacked();
        LoaderLog log = new LoaderLog(LOADER.getFilter());
        LOADER.setFilter(log);
        try {
            SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            String directory = System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir"));
            throw new NativeLibraryException("SQLite's native library cannot be loaded ("
                    + log.firstFailure().orElse(String.valueOf(e.getMessage())) + "). sqlite-jdbc copies it into "
                    + "the temporary directory " + directory + ", which must allow running a library (not mounted "
                    + "noexec): start Java with -Dorg.sqlite.tmpdir=<a directory that does>, or keep the build's "
                    + "chatapi-native/ beside chatapi.jar", e);
        } finally {
            LOADER.setFilter(log.previous);
        }
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
     * {@code name} in the folder {@code <jar name without .jar>-native} beside {@code jar}, when that file exists
     * and has the size and CRC-32 of the jar's own entry for it.
     */
    static Optional<Path> unpacked(Path jar, String resourcePath, String name) {
        String jarName = jar.getFileName() == null ? "" : jar.getFileName().toString();
        if (!jarName.endsWith(".jar")) {
            return Optional.empty();
        }
        Path folder = jar.resolveSibling(jarName.substring(0, jarName.length() - ".jar".length()) + "-native");
        String entry = resourcePath.replaceFirst("^/+", "") + "/" + name;
        Path library = folder.resolve(entry).normalize();
        return library.startsWith(folder) && Files.isRegularFile(library) && sameAsInJar(library, jar, entry)
                ? Optional.of(library) : Optional.empty();
    }

    /** Whether {@code file} has the size and CRC-32 that {@code jar}'s central directory records for {@code entry}. */
    private static boolean sameAsInJar(Path file, Path jar, String entry) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry recorded = zip.getEntry(entry);
            if (recorded == null || recorded.getSize() != Files.size(file)) {
                return false;
            }
            CRC32 crc = new CRC32();
            crc.update(Files.readAllBytes(file));
            return crc.getValue() == recorded.getCrc();
        } catch (IOException | RuntimeException e) {
            return false;
        }
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
