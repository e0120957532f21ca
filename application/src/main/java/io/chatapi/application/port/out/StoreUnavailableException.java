package io.chatapi.application.port.out;

/**
 * A store could not complete an operation (disk, corruption, shutdown); nothing was committed. The store adapter
 * that throws it logs the cause for the operator; callers answer their client (503, an {@code error} frame)
 * without logging it again.
 */
public class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
