package io.chatapi.adapters.ws.auth;

/** A token was refused; the message says why, for server logs only (it never contains the token). */
public final class InvalidTokenException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidTokenException(String reason) {
        super(reason, null, false, false);
    }
}
