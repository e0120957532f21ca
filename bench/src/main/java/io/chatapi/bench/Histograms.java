package io.chatapi.bench;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/** Latency histograms in microseconds, and their text form for the trip from a worker to the coordinator. */
final class Histograms {
    static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(5);
    private static final int DIGITS = 3;

    private Histograms() {
    }

    /** A histogram that many threads may record into at once. */
    static Histogram concurrent() {
        return new SynchronizedHistogram(MAX_MICROS, DIGITS);
    }

    static Histogram plain() {
        return new Histogram(MAX_MICROS, DIGITS);
    }

    /** Records {@code micros}, clamped into the trackable range (a negative value is a clock step and counts as 0). */
    static void record(Histogram histogram, long micros) {
        histogram.recordValue(Math.max(0, Math.min(MAX_MICROS, micros)));
    }

    /** Base64 of HdrHistogram's compressed encoding. */
    static String encode(Histogram histogram) {
        Histogram copy;
        synchronized (histogram) {
            copy = histogram.copy();
        }
        ByteBuffer buffer = ByteBuffer.allocate(copy.getNeededByteBufferCapacity());
        int length = copy.encodeIntoCompressedByteBuffer(buffer);
        byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Histogram decode(String text) {
        try {
            byte[] bytes = Base64.getDecoder().decode(text);
            Histogram decoded = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
            Histogram out = plain();
            out.add(decoded);
            return out;
        } catch (IllegalArgumentException | DataFormatException e) {
            throw new BenchException("a worker sent a histogram that cannot be decoded", e);
        }
    }

    /** The value at {@code percentile} in milliseconds with microsecond precision, or null when empty. */
    static Double millis(Histogram histogram, double percentile) {
        if (histogram.getTotalCount() == 0) {
            return null;
        }
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The recorded value (a count, not a time) at {@code percentile}, or null when empty. */
    static Long value(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? null : histogram.getValueAtPercentile(percentile);
    }
}
