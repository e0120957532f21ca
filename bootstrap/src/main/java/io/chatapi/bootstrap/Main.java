package io.chatapi.bootstrap;

import io.chatapi.adapters.sqlite.NativeLibraryException;
import io.chatapi.adapters.ws.ListenFailedException;
import io.chatapi.application.port.out.StoreUnavailableException;
import io.helidon.logging.common.LogConfig;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/** Starts the server from the environment; stops it gracefully on SIGTERM / Ctrl-C. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // messages in UTF-8 whatever the locale: a service manager often sets no LANG, and the JDK would then print
        // each non-ASCII character of a bad value as '?'
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        OptionalInt answered = Arguments.handle(args, version(), System.out, System.err);
        if (answered.isPresent()) {
            System.out.flush();
            System.exit(answered.getAsInt());
            return;
        }
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        }
        configureLogging();
        Optional<String> staleCache = AotCacheCheck.problem(
                ManagementFactory.getRuntimeMXBean().getInputArguments(),
                AotCacheCheck.runningJar(System.getProperty("java.class.path", "")));
        if (staleCache.isPresent()) {
            System.err.println("chatapi: " + staleCache.get());
            System.exit(2);
            return;
        }
        ChatApp app;
        try {
            app = ChatApp.start(ProcessEnvironment.utf8());
        } catch (ConfigException e) {
            System.err.println("chatapi: " + e.getMessage());
            System.exit(2);
            return;
        } catch (ListenFailedException e) {
            System.err.println("chatapi: LISTEN_ADDR=" + e.address() + ": " + e.reason());
            System.exit(2);
            return;
        } catch (NativeLibraryException e) {
            System.err.println("chatapi: " + e.getMessage());
            System.exit(2);
            return;
        } catch (StoreUnavailableException e) {
            System.err.println("chatapi: DATABASE_DSN: " + e.getMessage() + rootCause(e));
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            ShutdownLogManager.resetAtExit();
        }, "shutdown"));
        ShutdownLogManager.deferResetToStop();
    }

    /** The version the jar's manifest gives ({@code Implementation-Version}), or "(unpackaged)" outside a jar. */
    private static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(unpackaged)" : version;
    }

    /**
     * Applies a {@code logging.properties} in the working directory through Helidon's JUL support; without one,
     * JUL's defaults stand and start-up skips Helidon's logging set-up (about 150 ms). The class path is not
     * searched: it holds only the server's jar, and searching it cost 30–60 ms when the libraries were separate
     * jars. {@code -Djava.util.logging.config.file} works either way (JUL reads it itself).
     */
    private static void configureLogging() {
        if (Files.isRegularFile(Path.of("logging.properties"))) {
            LogConfig.configureRuntime();
        }
    }

    /** ": " and the first line of the innermost cause's message (drivers wrap theirs in many lines), or "". */
    static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof FileSystemException fs && fs.getReason() == null) {
            // the JDK's own file errors say what went wrong by their type, and their message is just the path
            return ": " + switch (fs) {
                case AccessDeniedException denied -> "permission denied";
                case NoSuchFileException missing -> "no such file or directory";
                case NotDirectoryException notDirectory -> "not a directory";
                case FileAlreadyExistsException exists -> "already exists";
                default -> fs.getClass().getSimpleName();
            } + ": " + fs.getFile();
        }
        if (root == e || root.getMessage() == null || root.getMessage().isBlank()) {
            return "";
        }
        return ": " + root.getMessage().strip().lines().findFirst().orElse("");
    }
}
