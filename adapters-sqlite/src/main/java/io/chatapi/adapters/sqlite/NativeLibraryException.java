package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.StoreUnavailableException;

/**
 * SQLite's native library could not be loaded, whatever the database: the message says why and what to change
 * (it names no setting of the server's, as no setting would help).
 */
public final class NativeLibraryException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
