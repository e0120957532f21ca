package io.chatapi.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders measurements that share their columns as an aligned text table. */
final class TextTable {
    private TextTable() {
    }

    static void render(List<Measurement> rows, StringBuilder out) {
        List<String> header = new ArrayList<>(rows.get(0).parameters().keySet());
        header.addAll(rows.get(0).figures().keySet());
        List<List<String>> cells = new ArrayList<>();
        for (Measurement m : rows) {
            List<String> line = new ArrayList<>();
            m.parameters().values().forEach(v -> line.add(format(v)));
            m.figures().values().forEach(v -> line.add(format(v)));
            cells.add(line);
        }
        int[] widths = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            widths[i] = header.get(i).length();
            for (List<String> line : cells) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        appendLine(header, widths, out);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
        }
        out.append(rule).append('\n');
        for (List<String> line : cells) {
            appendLine(line, widths, out);
        }
    }

    static String format(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return "-";
            }
            if (Math.abs(d) >= 1000) {
                return String.format(Locale.ROOT, "%,.0f", d);
            }
            if (Math.abs(d) >= 10) {
                return String.format(Locale.ROOT, "%.1f", d);
            }
            return String.format(Locale.ROOT, "%.3f", d);
        }
        if (value instanceof Long || value instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
        }
        return value.toString();
    }

    private static void appendLine(List<String> line, int[] widths, StringBuilder out) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < line.size(); i++) {
            text.append(i == 0 ? "" : " | ");
            text.append(" ".repeat(widths[i] - line.get(i).length())).append(line.get(i));
        }
        out.append(text.toString().stripTrailing()).append('\n');
    }
}
