package io.chatapi.application.port.out;

import java.util.ArrayList;
import java.util.List;

/** A one-shot cancel signal that work in progress can observe or hook an abort action onto. Thread-safe. */
public final class Cancellation {
    private final List<Runnable> actions = new ArrayList<>();
    private boolean cancelled;

    /** Cancels, running every registered action once. Later calls do nothing. */
    public void cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toRun = List.copyOf(actions);
            actions.clear();
        }
        toRun.forEach(Runnable::run);
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /** Runs {@code action} on cancel, or at once when already cancelled. */
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                actions.add(action);
                return;
            }
        }
        action.run();
    }

    /**
     * Drops an action registered with {@link #onCancel} that is no longer needed (the work it would abort has
     * ended), so the signal does not keep it, and what it refers to, alive; an action already run is not undone.
     */
    public synchronized void forget(Runnable action) {
        actions.remove(action);
    }
}
