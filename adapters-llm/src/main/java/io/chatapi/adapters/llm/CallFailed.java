package io.chatapi.adapters.llm;

import io.chatapi.application.port.out.LlmOutcome;

/** Ends an LLM call early with an outcome and a message for the log (which never holds the API key). */
final class CallFailed extends Exception {
    private final LlmOutcome outcome;

    CallFailed(LlmOutcome outcome, String message) {
        super(message, null, false, false);
        this.outcome = outcome;
    }

    LlmOutcome outcome() {
        return outcome;
    }

    /** An exception and its root cause, by class and message, for the log. */
    static String describe(Throwable error) {
        if (error == null) {
            return "unknown";
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == error ? oneLine(error) : oneLine(error) + " (" + oneLine(root) + ")";
    }

    private static String oneLine(Throwable error) {
        return error.getClass().getSimpleName() + (error.getMessage() == null ? "" : " " + error.getMessage());
    }
}
