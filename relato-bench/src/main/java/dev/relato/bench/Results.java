package dev.relato.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of a run, and the table they print as: one line per figure, for each backend Relato's value and,
 * where the backend has a SQL database, the plain-JDBC twin's and their ratio checked against the target.
 * Not thread-safe.
 */
final class Results {

    /** What a figure counts, and which way is better. */
    enum Unit {
        EVENTS_PER_SECOND("events/s", true),
        MS_PER_LOAD("ms/load", false),
        COUNT("count", false),
        MEGABYTES("MB", false);

        final String label;
        final boolean higherIsBetter;

        Unit(String label, boolean higherIsBetter) {
            this.label = label;
            this.higherIsBetter = higherIsBetter;
        }
    }

    /**
     * One line of the table.
     *
     * @param label  what was measured
     * @param unit   its unit
     * @param target the ratio Relato / plain JDBC must reach (rates: at least, times: at most); 0 for none
     */
    record Figure(String label, Unit unit, double target) {
        boolean met(double ratio) {
            return unit.higherIsBetter ? ratio >= target : ratio <= target;
        }

        String targetText() {
            if (target == 0) {
                return "";
            }
            return (unit.higherIsBetter ? ">= " : "<= ") + String.format(Locale.ROOT, "%.2f", target);
        }
    }

    /** Relato's value and the plain-JDBC twin's, NaN where there is none. */
    record Cell(double relato, double jdbc) {
        boolean hasRatio() {
            return !Double.isNaN(relato) && !Double.isNaN(jdbc) && jdbc != 0;
        }


        double ratio() {
            return relato / jdbc;
        }
    }

    private final Map<Figure, Map<String, Cell>> figures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    /** Reserves the figures' lines in this order, before any value is put. */
    void declare(Figure... declared) {
        for (Figure figure : declared) {
            figures.computeIfAbsent(figure, f -> new LinkedHashMap<>());
        }
    }

    void put(Figure figure, String backend, double relato, double jdbc) {
        figures.computeIfAbsent(figure, f -> new LinkedHashMap<>()).put(backend, new Cell(relato, jdbc));
    }

    /** Every figure with its cells by backend, in the order they were declared or first put. */
    Map<Figure, Map<String, Cell>> figures() {
        return java.util.Collections.unmodifiableMap(figures);
    }

    void note(String note) {
        notes.add(note);
    }

    /** The figures whose ratio misses its target, described. */
    List<String> misses() {
        List<String> misses = new ArrayList<>();
        figures.forEach((figure, cells) -> cells.forEach((backend, cell) -> {
            if (figure.target() != 0 && cell.hasRatio() && !figure.met(cell.ratio())) {
                misses.add(backend + " " + figure.label() + ": " + String.format(Locale.ROOT, "%.2f", cell.ratio())
                        + " (target " + figure.targetText() + ")");
            }
        }));
        return misses;
    }

    /** The table, for these backends in this order. */
    String table(List<String> backends) {
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("workload", "unit"));
        for (String backend : backends) {
            if (backend.equals("memory")) {
                header.add("memory");
            } else {
                header.add(backend + " relato");
                header.add(backend + " jdbc");
                header.add("ratio");
            }
        }
        header.add("target");
        rows.add(header.toArray(String[]::new));
        figures.forEach((figure, cells) -> {
            List<String> row = new ArrayList<>(List.of(figure.label(), figure.unit().label));
            for (String backend : backends) {
                Cell cell = cells.get(backend);
                row.add(cell == null ? "-" : format(cell.relato(), figure.unit()));
                if (!backend.equals("memory")) {
                    row.add(cell == null ? "-" : format(cell.jdbc(), figure.unit()));
                    row.add(cell == null || !cell.hasRatio() || figure.unit() == Unit.COUNT ? "-" : String.format(Locale.ROOT, "%.2f", cell.ratio())
                            + (figure.target() == 0 ? "" : figure.met(cell.ratio()) ? " ok" : " MISS"));
                }
            }
            row.add(figure.targetText());
            rows.add(row.toArray(String[]::new));
        });
        int columns = header.size();
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int c = 0; c < columns; c++) {
                String cell = row[c];
                out.append(c < 2 ? pad(cell, widths[c]) : padLeft(cell, widths[c]));
                out.append(c == columns - 1 ? "" : "  ");
            }
            out.append(System.lineSeparator());
            if (r == 0) {
                int total = 0;
                for (int w : widths) {
                    total += w + 2;
                }
                out.append("-".repeat(total - 2)).append(System.lineSeparator());
            }
        }
        for (String note : notes) {
            out.append(note).append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String format(double value, Unit unit) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return switch (unit) {
            case EVENTS_PER_SECOND, COUNT -> String.format(Locale.ROOT, "%,.0f", value);
            case MS_PER_LOAD -> value >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                    : value >= 10 ? String.format(Locale.ROOT, "%.1f", value)
                    : value >= 1 ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%.3f", value);
            case MEGABYTES -> String.format(Locale.ROOT, "%.0f", value);
        };
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }

    private static String padLeft(String text, int width) {
        return " ".repeat(width - text.length()) + text;
    }
}
