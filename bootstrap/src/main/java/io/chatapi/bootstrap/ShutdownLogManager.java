package io.chatapi.bootstrap;

import java.util.logging.LogManager;

/**
 * JUL's log manager, except that the reset JUL runs in its own shutdown hook waits for the server's: JUL closes
 * every handler when the JVM starts to exit, at the same time as the server's graceful stop runs in another hook,
 * so whatever the stop logged (its warnings, the closing "stopped" line) was lost. {@link Main} installs this
 * manager unless {@code java.util.logging.manager} names another, defers the reset once its shutdown hook is in
 * place, and calls {@link #resetAtExit()} as that hook's last step.
 */
public final class ShutdownLogManager extends LogManager {
    /** Set once the server's shutdown hook is in place: only then is there a stop to wait for. */
    private static volatile boolean stopPending;

    /** Public, for {@link LogManager} creates its manager by reflection. */
    public ShutdownLogManager() {
    }

    @Override
    public void reset() {
        if (!(stopPending && exiting())) {
            super.reset();
        }
    }

    /**
     * From now on, the reset at exit is left to {@link #resetAtExit()}: called when the server's shutdown hook is
     * registered. Before that (a start that fails, say) JUL closes its handlers at exit as usual.
     */
    static void deferResetToStop() {
        stopPending = true;
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
