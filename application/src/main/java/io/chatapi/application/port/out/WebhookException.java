package io.chatapi.application.port.out;

/** A webhook call failed: refused, non-2xx, timed out, or answered something unreadable. */
public class WebhookException extends Exception {
    private static final long serialVersionUID = 1L;

    public WebhookException(String message) {
        super(message);
    }

    public WebhookException(String message, Throwable cause) {
        super(message, cause);
    }
}
