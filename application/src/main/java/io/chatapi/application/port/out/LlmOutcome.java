package io.chatapi.application.port.out;

/** How a streamed completion ended. */
public enum LlmOutcome {
    /** The model finished. */
    STOP,
    /** The model hit its token limit. */
    LENGTH,
    /** The caller cancelled; the exchange was aborted. */
    CANCELLED,
    /** The provider refused or broke the exchange. */
    ERROR,
    /** A connect, idle or total time-out passed. */
    TIMEOUT
}
