package io.chatapi.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One WebSocket sender at a fixed rate (open loop): message i leaves at start + i / rate, carrying its actual
 * send time; errors the server answers are counted, and so is how far the sender fell behind its schedule.
 */
final class RateSender implements WsClient.Handler {
    private final AtomicLong errors = new AtomicLong();
    private WsClient socket;

    /** Messages sent, sends that failed, errors the server answered, and the worst lag behind the schedule. */
    record Outcome(long sent, long failed, long errors, double maxLagMs) {
    }

    void attach(WsClient client) {
        this.socket = client;
    }

    @Override
    public void onFrame(WsClient client, Frame frame) {
        if (frame.type().equals("error")) {
            errors.incrementAndGet();
        }
    }

    Outcome run(String room, String kind, String step, double rate, Duration duration) {
        long count = Math.max(1, Math.round(rate * duration.toMillis() / 1000.0));
        double period = 1e9 / rate;
        long errorsBefore = errors.get();
        long sent = 0;
        long failed = 0;
        long maxLag = 0;
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            long due = start + (long) (i * period);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            maxLag = Math.max(maxLag, System.nanoTime() - due);
            if (socket.send(Frames.sendMessage(room, new FanoutContent(kind, step, Micros.now()).text(), null))) {
                sent++;
            } else {
                failed++;
                if (!socket.isOpen()) {
                    break;
                }
            }
        }
        return new Outcome(sent, failed, errors.get() - errorsBefore, maxLag / 1e6);
    }
}
