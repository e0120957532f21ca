package io.chatapi.application.port.out;

/** A store could not complete an operation (disk, corruption, shutdown); nothing was committed. */
public class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
