package io.chatapi.adapters.ws.rest;

import io.chatapi.domain.ErrorCode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the HTTP requests being handled, so that a graceful stop lets them finish (a send stored, answered and
 * its bot reply owed) before the listener stops, which would otherwise cut their connections with no answer.
 * Once the stop has begun, a new request is answered 503 {@code internal_error} with {@code Retry-After}. A
 * WebSocket handshake passes: a socket that opens during the stop is told when to come back, like the others.
 */
public final class RequestsInFlight implements Filter {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition none = lock.newCondition();
    private int handling;
    private boolean stopped;

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (HandshakeFilter.PATH.equals(req.path().path())) {
            chain.proceed();
            return;
        }
        if (!enter()) {
            res.header(HeaderNames.RETRY_AFTER, "1");
            HttpAnswers.error(req, res, 503, ErrorCode.UNAVAILABLE.wire(), "the server is stopping");
            return;
        }
        try {
            chain.proceed();
        } finally {
            leave();
        }
    }

    private boolean enter() {
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            handling++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void leave() {
        lock.lock();
        try {
            if (--handling == 0) {
                none.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses every request from now on and waits until none is being handled, at most until {@code deadlineNanos}
     * ({@link System#nanoTime()}); false when some still were then.
     */
    public boolean stopAndAwait(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            stopped = true;
            while (handling > 0) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                none.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
