package io.chatapi.bench;

/** A benchmark could not run or finish; the message says why in terms a person can act on. */
public final class BenchException extends RuntimeException {
    public BenchException(String message) {
        super(message);
    }

    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
