package io.chatapi.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The {@code result} events of several workers added together: histograms merged, counters summed. */
final class WorkerResults {
    private final Map<String, Histogram> histograms = new LinkedHashMap<>();
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private final List<String> samples = new ArrayList<>();

    static WorkerResults merge(Collection<JsonNode> results) {
        WorkerResults merged = new WorkerResults();
        for (JsonNode result : results) {
            result.path("histograms").properties().forEach(e ->
                    merged.histograms.computeIfAbsent(e.getKey(), k -> Histograms.plain())
                            .add(Histograms.decode(e.getValue().asText())));
            result.path("counters").properties().forEach(e ->
                    merged.counters.merge(e.getKey(), e.getValue().asLong(), Long::sum));
            result.path("samples").forEach(s -> {
                if (merged.samples.size() < 20) {
                    merged.samples.add(s.asText());
                }
            });
        }
        return merged;
    }

    /** The merged histogram, empty when no worker sent one of that name. */
    Histogram histogram(String name) {
        return histograms.getOrDefault(name, Histograms.plain());
    }

    long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }

    /** Counters whose name starts with {@code prefix}, prefix removed. */
    Map<String, Long> countersStartingWith(String prefix) {
        Map<String, Long> out = new LinkedHashMap<>();
        counters.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    List<String> samples() {
        return List.copyOf(samples);
    }
}
