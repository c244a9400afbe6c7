package dev.relato.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes rows as an aligned table (for people) or as one JSON object per line (for scripts). Tables are aligned a
 * block of {@value #BLOCK} rows at a time, so that a long stream of rows is printed as it comes, in flat memory.
 * Not thread-safe.
 */
final class Printer implements AutoCloseable {
    static final int BLOCK = 200;
    private static final int MAX_CELL = 120;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final boolean json;
    private final List<Map<String, Object>> block = new ArrayList<>();
    private int[] widths;
    private List<String> columns;
    private long rows;

    Printer(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** One row: column to value; a {@link Json} value is raw JSON text. */
    void row(Map<String, Object> row) {
        rows++;
        if (json) {
            ObjectNode node = JSON.createObjectNode();
            row.forEach((key, value) -> {
                if (value instanceof Json raw) {
                    node.putRawValue(key, new RawValue(raw.text()));
                } else if (value instanceof Number number) {
                    node.put(key, number.longValue());
                } else if (value instanceof Boolean bool) {
                    node.put(key, bool);
                } else if (value == null) {
                    node.putNull(key);
                } else {
                    node.put(key, value.toString());
                }
            });
            try {
                out.println(JSON.writeValueAsString(node));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
            }
            out.flush();
            return;
        }
        block.add(row);
        if (block.size() >= BLOCK) {
            flush();
        }
    }

    /** A line of text, in table mode only (a message for people). */
    void note(String text) {
        if (!json) {
            flush();
            out.println(text);
            out.flush();
        }
    }

    /** Rows written so far. */
    long rows() {
        return rows;
    }

    void flush() {
        if (block.isEmpty()) {
            out.flush();
            return;
        }
        if (columns == null) {
            columns = new ArrayList<>(block.get(0).keySet());
            widths = new int[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                widths[i] = columns.get(i).length();
            }
            measure();
            line(header());
            StringBuilder rule = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                rule.append(i == 0 ? "" : "  ").append("-".repeat(widths[i]));
            }
            out.println(rule);
        } else {
            measure();
        }
        for (Map<String, Object> row : block) {
            List<String> cells = new ArrayList<>();
            for (String column : columns) {
                cells.add(cell(row.get(column)));
            }
            line(cells);
        }
        block.clear();
        out.flush();
    }

    private List<String> header() {
        return new ArrayList<>(columns.stream().map(c -> c.toUpperCase(java.util.Locale.ROOT)).toList());
    }

    private void measure() {
        for (Map<String, Object> row : block) {
            for (int i = 0; i < columns.size(); i++) {
                widths[i] = Math.max(widths[i], cell(row.get(columns.get(i))).length());
            }
        }
    }

    private void line(List<String> cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            line.append(i == 0 ? "" : "  ").append(cell);
            if (i < cells.size() - 1) {
                line.append(" ".repeat(Math.max(0, widths[i] - cell.length())));
            }
        }
        out.println(line);
    }

    private static String cell(Object value) {
        String text = value == null ? "" : value instanceof Json raw ? raw.text() : value.toString();
        StringBuilder shown = new StringBuilder(Math.min(text.length(), MAX_CELL));
        for (int i = 0; i < text.length() && shown.length() < MAX_CELL; i++) {
            char c = text.charAt(i);
            shown.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (text.length() > MAX_CELL) {
            shown.setLength(MAX_CELL - 1);
            shown.append('…');
        }
        return shown.toString();
    }

    /** A row builder keeping column order. */
    static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    @Override
    public void close() {
        flush();
    }

    /** JSON text to embed as is. */
    record Json(String text) {
    }
}
