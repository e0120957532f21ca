package io.chatapi.adapters.ws.rest;

import io.helidon.webserver.CloseConnectionException;

/**
 * An answer that ended before its last byte: the client went away, or did not take it in time. Helidon closes the
 * connection; the request's log line says {@code cut short}.
 */
public final class AnswerCut extends CloseConnectionException {
    public AnswerCut(String message) {
        super(message);
    }

    public AnswerCut(String message, Throwable cause) {
        super(message, cause);
    }
}
