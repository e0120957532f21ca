package io.chatapi.adapters.ws;

/** The server could not listen on its address (in use, not this machine's, not permitted); nothing was started. */
public final class ListenFailedException extends RuntimeException {
    private final String address;
    private final String reason;

    ListenFailedException(String address, String reason) {
        super(address + ": " + reason);
        this.address = address;
        this.reason = reason;
    }

    /** The address as configured, {@code host:port} ({@code [host]:port} for an IPv6 host). */
    public String address() {
        return address;
    }

    /** Why, in lower case words such as {@code address already in use}. */
    public String reason() {
        return reason;
    }
}
