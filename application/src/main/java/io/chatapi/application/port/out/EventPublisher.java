package io.chatapi.application.port.out;

import java.time.Duration;
import java.util.Collection;

/**
 * Fans events out to the open connections of users. Never blocks on a slow connection: a connection
 * whose queue is full is closed instead. Thread-safe; events to one user keep their publishing order.
 */
public interface EventPublisher {
    /** Sends the event to every open connection of every listed user. */
    void publish(Collection<String> userIds, ChatEvent event);

    /**
     * Sends the event to the user's connections that have been open for at least {@code minAge} (a younger one
     * may still be resuming) and have at most half of their outgoing queue filled (a backlog re-delivered at once
     * must not make a slow consumer of the connection). With {@code waitForAll}, nothing is sent while a
     * connection of the user is younger than {@code minAge}: a device that just connected is not left out. A
     * connection at least {@code minAge} old whose queue is half full holds the event back too, unless it has stayed
     * so, with nothing of it written, for a while (it stopped reading): then the others get it, and it is closed as
     * a slow consumer, so that its client resumes instead of missing the event without a word. Returns how many
     * connections accepted it into their queue, 0 when it was not sent (the caller tries again later); a message
     * a connection was already sent live counts as accepted there and is not sent again.
     */
    int publishToSettled(String userId, ChatEvent event, Duration minAge, boolean waitForAll);

    /**
     * As {@link #publishToSettled}, for a message the offline queue owes the user, telling what becomes of it: its
     * entry may go once a connection has written it to its socket, not as soon as one accepted it into its queue
     * (a process killed meanwhile loses what its queues held). A publisher that cannot tell counts it written once
     * accepted.
     */
    default Redelivery redeliver(String userId, ChatEvent event, Duration minAge, boolean waitForAll) {
        return Redelivery.accepted(publishToSettled(userId, event, minAge, waitForAll));
    }

    /** What became of a re-delivered message. Thread-safe. */
    interface Redelivery {
        /** How many connections accepted it; 0: none, to be tried again later. */
        int accepted();

        /** True once a connection that accepted it has written it to its socket. */
        boolean written();

        /** True once it was written, or every connection that accepted it ended without writing it. */
        boolean settled();

        /** Counted written as soon as accepted. */
        static Redelivery accepted(int connections) {
            return new Redelivery() {
                @Override
                public int accepted() {
                    return connections;
                }

                @Override
                public boolean written() {
                    return connections > 0;
                }

                @Override
                public boolean settled() {
                    return true;
                }
            };
        }
    }
}
