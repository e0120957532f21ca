package io.chatapi.bootstrap;

import java.util.logging.LogManager;

/**
 * JUL's log manager, except that the reset JUL runs in its own shutdown hook waits for the server's: JUL closes
 * every handler when the JVM starts to exit, at the same time as the server's graceful stop runs in another hook,
 * so whatever the stop logged (its warnings, the closing "stopped" line) was lost. {@link Main} installs this
 * manager unless {@code java.util.logging.manager} names another, and calls {@link #resetAtExit()} last.
 */
public final class ShutdownLogManager extends LogManager {
    /** Public, for {@link LogManager} creates its manager by reflection. */
    public ShutdownLogManager() {
    }

    @Override
    public void reset() {
        if (!exiting()) {
            super.reset();
        }
    }

    /** Closes the handlers now: the last step of the server's shutdown hook. */
    static void resetAtExit() {
        if (LogManager.getLogManager() instanceof ShutdownLogManager manager) {
            manager.resetNow();
        }
    }

    private void resetNow() {
        super.reset();
    }

    private static boolean exiting() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
