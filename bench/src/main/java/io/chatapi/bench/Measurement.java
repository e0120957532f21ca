package io.chatapi.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One row of results: what was run (parameters), what came out (figures) and remarks, in insertion order. */
record Measurement(String scenario, Map<String, Object> parameters, Map<String, Object> figures, List<String> notes) {

    static Builder of(String scenario) {
        return new Builder(scenario);
    }

    /** Collects a measurement; figures may be null when nothing could be measured. */
    static final class Builder {
        private final String scenario;
        private final Map<String, Object> parameters = new LinkedHashMap<>();
        private final Map<String, Object> figures = new LinkedHashMap<>();
        private final List<String> notes = new ArrayList<>();

        private Builder(String scenario) {
            this.scenario = scenario;
        }

        Builder param(String name, Object value) {
            parameters.put(name, value);
            return this;
        }

        Builder figure(String name, Object value) {
            figures.put(name, value);
            return this;
        }

        Builder note(String note) {
            notes.add(note);
            return this;
        }

        Measurement build() {
            return new Measurement(scenario, Collections.unmodifiableMap(new LinkedHashMap<>(parameters)),
                    Collections.unmodifiableMap(new LinkedHashMap<>(figures)), List.copyOf(notes));
        }
    }
}
