package io.chatapi.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The results of one {@code bench/run}: printed as tables and written as a JSON file. */
final class Report {
    static final String SHARED_CORES_NOTE = "load generator and server share the same "
            + Runtime.getRuntime().availableProcessors() + " cores on this machine: figures include the cost of measuring";
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final String scenario;
    private final List<String> arguments;
    private final Instant started;
    private final List<Measurement> measurements = new ArrayList<>();
    private final Map<String, String> errors = new LinkedHashMap<>();

    Report(String scenario, List<String> arguments, Instant started) {
        this.scenario = scenario;
        this.arguments = List.copyOf(arguments);
        this.started = started;
    }

    synchronized void add(Measurement measurement) {
        measurements.add(measurement);
    }

    synchronized void addError(String scenarioName, String message) {
        errors.put(scenarioName, message);
    }

    synchronized List<Measurement> measurements() {
        return List.copyOf(measurements);
    }

    synchronized Map<String, String> errors() {
        return Map.copyOf(errors);
    }

    /** Tables, one per scenario and column set, each headed by the scenario name and the shared-cores note. */
    synchronized String table() {
        StringBuilder out = new StringBuilder();
        String current = null;
        List<Measurement> block = new ArrayList<>();
        for (Measurement m : measurements) {
            if (!block.isEmpty() && !sameColumns(block.get(0), m)) {
                TextTable.render(block, out);
                block.clear();
            }
            if (!m.scenario().equals(current)) {
                current = m.scenario();
                out.append('\n').append("== ").append(current).append(" — ").append(SHARED_CORES_NOTE).append('\n');
            }
            block.add(m);
        }
        if (!block.isEmpty()) {
            TextTable.render(block, out);
        }
        for (Measurement m : measurements) {
            for (String note : m.notes()) {
                String line = "note (" + m.scenario() + "): " + note + '\n';
                if (out.indexOf(line) < 0) {
                    out.append(line);
                }
            }
        }
        errors.forEach((name, message) -> out.append("FAILED ").append(name).append(": ").append(message).append('\n'));
        return out.toString();
    }

    synchronized ObjectNode toJson(Instant finished) {
        ObjectNode root = Json.object();
        root.put("scenario", scenario);
        ArrayNode args = root.putArray("arguments");
        arguments.forEach(args::add);
        root.put("started_at", started.toString());
        root.put("finished_at", finished.toString());
        ObjectNode host = root.putObject("host");
        host.put("cores", Runtime.getRuntime().availableProcessors());
        host.put("java", System.getProperty("java.version"));
        host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        root.put("note", SHARED_CORES_NOTE);
        ArrayNode results = root.putArray("results");
        for (Measurement m : measurements) {
            ObjectNode row = results.addObject();
            row.put("scenario", m.scenario());
            row.set("parameters", Json.MAPPER.valueToTree(m.parameters()));
            row.set("figures", Json.MAPPER.valueToTree(m.figures()));
            if (!m.notes().isEmpty()) {
                row.set("notes", Json.MAPPER.valueToTree(m.notes()));
            }
        }
        if (!errors.isEmpty()) {
            root.set("errors", Json.MAPPER.valueToTree(errors));
        }
        return root;
    }

    /** Writes {@code <dir>/<scenario>-<timestamp>.json} and returns its path. */
    Path write(Path directory, Instant finished) {
        try {
            Files.createDirectories(directory);
            Path file = directory.resolve(scenario + "-" + FILE_TIME.format(finished) + ".json");
            for (int i = 2; Files.exists(file); i++) {
                file = directory.resolve(scenario + "-" + FILE_TIME.format(finished) + "-" + i + ".json");
            }
            Files.writeString(file, Json.pretty(toJson(finished)) + "\n");
            return file;
        } catch (IOException e) {
            throw new BenchException("cannot write results into " + directory + ": " + e.getMessage(), e);
        }
    }

    private static boolean sameColumns(Measurement a, Measurement b) {
        return a.scenario().equals(b.scenario())
                && a.parameters().keySet().equals(b.parameters().keySet())
                && a.figures().keySet().equals(b.figures().keySet());
    }
}
