package io.chatapi.domain;

import java.time.Duration;

/** A refusal that a caller can act on: carries a code and a message meant for a person. */
public class ChatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;
    private final transient Duration retryAfter;

    public ChatException(ErrorCode code, String message) {
        this(code, message, Duration.ZERO);
    }

    public ChatException(ErrorCode code, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** How long to wait before retrying; zero when not applicable. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public static ChatException invalid(String message) {
        return new ChatException(ErrorCode.INVALID_REQUEST, message);
    }

    public static ChatException forbidden(String message) {
        return new ChatException(ErrorCode.FORBIDDEN, message);
    }

    public static ChatException notFound(String message) {
        return new ChatException(ErrorCode.NOT_FOUND, message);
    }

    public static ChatException conflict(String message) {
        return new ChatException(ErrorCode.CONFLICT, message);
    }

    public static ChatException tooLarge(String message) {
        return new ChatException(ErrorCode.PAYLOAD_TOO_LARGE, message);
    }

    /** Over a rate limit: the contract's fixed text, and when a retry can pass. */
    public static ChatException rateLimited(Duration retryAfter) {
        return new ChatException(ErrorCode.RATE_LIMITED, "too many requests", retryAfter);
    }
}
