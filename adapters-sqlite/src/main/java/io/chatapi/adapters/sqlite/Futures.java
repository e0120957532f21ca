package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.StoreUnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.jdbi.v3.core.JdbiException;

/** Hands results and failures from the database threads back to the caller. */
final class Futures {
    /** Every database failure of the adapter, reads and writes, reported through one throttle. */
    static final FailureLog FAILURES = new FailureLog(Logger.getLogger("io.chatapi.adapters.sqlite"),
            TimeUnit.SECONDS.toNanos(10), System::nanoTime);

    private Futures() {
    }

    /** Waits for the database thread and rethrows its failure (already translated by {@link #translate}). */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new StoreUnavailableException("the database call failed", cause);
        }
    }

    /**
     * Database errors become {@link StoreUnavailableException} and are reported to {@link #FAILURES}; refusals
     * (for example not found) pass through.
     */
    static RuntimeException translate(RuntimeException e) {
        if (e instanceof JdbiException) {
            FAILURES.failed("a database statement failed", e);
            return new StoreUnavailableException("the database call failed", e);
        }
        if (e instanceof StoreUnavailableException) {
            FAILURES.failed("a database statement failed", e);
        }
        return e;
    }
}
