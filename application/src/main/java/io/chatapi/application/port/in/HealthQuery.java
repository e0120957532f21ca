package io.chatapi.application.port.in;

/** Whether the server can do its job. */
public interface HealthQuery {
    /** Performs a real write probe against the store. */
    boolean databaseWritable();
}
