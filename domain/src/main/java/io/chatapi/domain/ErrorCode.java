package io.chatapi.domain;

/** Machine-readable error codes shared by every transport; each maps to one wire code. */
public enum ErrorCode {
    UNAUTHORIZED("unauthorized"),
    INVALID_REQUEST("invalid_request"),
    INVALID_FRAME("invalid_frame"),
    UNKNOWN_TYPE("unknown_type"),
    FORBIDDEN("forbidden"),
    NOT_FOUND("not_found"),
    CONFLICT("conflict"),
    RATE_LIMITED("rate_limited"),
    PAYLOAD_TOO_LARGE("payload_too_large"),
    /** The store is busy or down; the contract has no code of its own for it (REST answers it with 503). */
    UNAVAILABLE("internal_error"),
    INTERNAL("internal_error");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The code as it appears in error bodies and {@code error} frames. */
    public String wire() {
        return wire;
    }
}
