package io.chatapi.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class HistogramsTest {

    @Test
    void encodedHistogramDecodesToTheSameDistribution() {
        Histogram h = Histograms.concurrent();
        for (int i = 1; i <= 1000; i++) {
            Histograms.record(h, i * 10L);
        }
        Histogram back = Histograms.decode(Histograms.encode(h));
        assertThat(back.getTotalCount()).isEqualTo(1000);
        assertThat(back.getValueAtPercentile(50)).isEqualTo(h.getValueAtPercentile(50));
        assertThat(back.getMaxValue()).isEqualTo(h.getMaxValue());
    }

    @Test
    void resultsOfSeveralWorkersAreMergedAndSummed() {
        Histogram a = Histograms.plain();
        Histograms.record(a, 1_000);
        Histogram b = Histograms.plain();
        Histograms.record(b, 3_000);
        Histograms.record(b, 5_000);
        var one = Json.object();
        one.putObject("histograms").put("ack", Histograms.encode(a));
        one.putObject("counters").put("acked", 1);
        var two = Json.object();
        two.putObject("histograms").put("ack", Histograms.encode(b));
        two.putObject("counters").put("acked", 2).put("errors", 4);
        WorkerResults merged = WorkerResults.merge(List.of(one, two));
        assertThat(merged.histogram("ack").getTotalCount()).isEqualTo(3);
        assertThat(merged.counter("acked")).isEqualTo(3);
        assertThat(merged.counter("errors")).isEqualTo(4);
        assertThat(merged.histogram("missing").getTotalCount()).isZero();
        assertThat(Histograms.millis(merged.histogram("ack"), 100)).isBetween(4.99, 5.01);
        assertThat(Histograms.millis(merged.histogram("missing"), 50)).isNull();
    }

    @Test
    void clampsOutOfRangeValuesAndRefusesGarbage() {
        Histogram h = Histograms.plain();
        Histograms.record(h, -5);
        Histograms.record(h, Long.MAX_VALUE);
        assertThat(h.getMinValue()).isZero();
        assertThat(h.getTotalCount()).isEqualTo(2);
        assertThatThrownBy(() -> Histograms.decode("bm90IGEgaGlzdG9ncmFt")).isInstanceOf(BenchException.class);
    }
}
