package dev.relato.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The figures of a run and the tables they print as: one block per store, one line per figure, with the value
 * of every peer measured on that store (Relato, the leanest plain-JDBC code, Axon Framework …), Relato's
 * ratio to the plain-JDBC code and to Axon, and the targets the line is held to. Not thread-safe.
 */
final class Results {

    /** What a figure counts, and which way is better. */
    enum Unit {
        EVENTS_PER_SECOND("events/s", true),
        MS_PER_LOAD("ms/load", false),
        MILLISECONDS("ms", false),
        COUNT("count", false),
        MEGABYTES("MB", false),
        /** A ratio of two of Relato's own figures, such as caller's-transaction over own-transaction appends. */
        RATIO("x", true);

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
     * @param label what was measured
     * @param unit  its unit
     */
    record Figure(String label, Unit unit) {
    }

    /** What Relato's value of a figure must reach on one store. */
    sealed interface Target {
        /** Whether Relato's value meets the target; empty if a value it needs is missing. */
        Optional<Boolean> met(Unit unit, Map<String, Double> values);

        String text(Unit unit);

        /**
         * Relato against a peer: for rates at least {@code factor} times the peer's value, for times and counts at
         * most {@code factor} times; a factor of 1 reads "ahead of" the peer.
         */
        record Relative(String peer, double factor) implements Target {
            @Override
            public Optional<Boolean> met(Unit unit, Map<String, Double> values) {
                Double relato = values.get(Backend.RELATO);
                Double other = values.get(peer);
                if (relato == null || other == null) {
                    return Optional.empty();
                }
                return Optional.of(unit.higherIsBetter ? relato >= factor * other : relato <= factor * other);
            }

            @Override
            public String text(Unit unit) {
                if (factor == 1) {
                    return "ahead of " + peer;
                }
                return (unit.higherIsBetter ? ">= " : "<= ") + String.format(Locale.ROOT, "%.2f", factor) + " x " + peer;
            }
        }

        /** Relato's value itself: at least the bound (rates, ratios) or below it (times). */
        record Absolute(double bound) implements Target {
            @Override
            public Optional<Boolean> met(Unit unit, Map<String, Double> values) {
                Double relato = values.get(Backend.RELATO);
                if (relato == null) {
                    return Optional.empty();
                }
                return Optional.of(unit.higherIsBetter ? relato >= bound : relato < bound);
            }

            @Override
            public String text(Unit unit) {
                return (unit.higherIsBetter ? ">= " : "< ") + format(bound, unit)
                        + (unit == Unit.RATIO ? "" : " " + unit.label);
            }
        }
    }

    /** The peers' columns in this order; Relato's ratios are taken against these two. */
    static final List<String> PEERS = List.of(Backend.RELATO, Backend.JDBC, Backend.JDBC_WIDE, Backend.AXON,
            Backend.RELATO_ENCRYPTED);
    private static final List<String> RATIO_PEERS = List.of(Backend.JDBC, Backend.AXON);

    private final List<Figure> order = new ArrayList<>();
    /** Figure → store → peer → value. */
    private final Map<Figure, Map<String, Map<String, Double>>> values = new LinkedHashMap<>();
    /** Figure → store → targets. */
    private final Map<Figure, Map<String, List<Target>>> targets = new LinkedHashMap<>();
    private final Map<String, String> storeTitles = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    /** Reserves the figures' lines in this order, before any value is put. */
    void declare(Figure... declared) {
        for (Figure figure : declared) {
            if (!order.contains(figure)) {
                order.add(figure);
            }
        }
    }

    /** The line above a store's block, such as the server's version. */
    void title(String store, String title) {
        storeTitles.put(store, title);
    }

    void target(Figure figure, String store, Target... wanted) {
        targets.computeIfAbsent(figure, f -> new LinkedHashMap<>()).computeIfAbsent(store, s -> new ArrayList<>())
                .addAll(List.of(wanted));
    }

    void put(Figure figure, String store, String peer, double value) {
        declare(figure);
        values.computeIfAbsent(figure, f -> new LinkedHashMap<>()).computeIfAbsent(store, s -> new LinkedHashMap<>())
                .put(peer, value);
    }

    /** A peer's value of a figure on a store, if it was measured. */
    Optional<Double> value(Figure figure, String store, String peer) {
        return Optional.ofNullable(values.getOrDefault(figure, Map.of()).getOrDefault(store, Map.of()).get(peer));
    }

    /** Every figure with its values by store and peer, in the order they were declared. */
    Map<Figure, Map<String, Map<String, Double>>> figures() {
        Map<Figure, Map<String, Map<String, Double>>> all = new LinkedHashMap<>();
        for (Figure figure : order) {
            all.put(figure, Collections.unmodifiableMap(values.getOrDefault(figure, Map.of())));
        }
        return Collections.unmodifiableMap(all);
    }

    void note(String note) {
        notes.add(note);
    }

    /** The targets missed, each described with the value that missed it. */
    List<String> misses() {
        List<String> misses = new ArrayList<>();
        for (Figure figure : order) {
            targets.getOrDefault(figure, Map.of()).forEach((store, wanted) -> {
                Map<String, Double> measured = values.getOrDefault(figure, Map.of()).getOrDefault(store, Map.of());
                for (Target target : wanted) {
                    if (target.met(figure.unit(), measured).equals(Optional.of(false))) {
                        misses.add(store + " " + figure.label() + ": " + achieved(figure.unit(), target, measured)
                                + " (target " + target.text(figure.unit()) + ")");
                    }
                }
            });
        }
        return misses;
    }

    private static String achieved(Unit unit, Target target, Map<String, Double> measured) {
        double relato = measured.get(Backend.RELATO);
        if (target instanceof Target.Relative relative) {
            return ratio(relato / measured.get(relative.peer()), unit) + " x " + relative.peer();
        }
        return format(relato, unit) + (unit == Unit.RATIO ? "" : " " + unit.label);
    }

    /** The blocks of these stores, in this order, then the notes. */
    String table(List<String> stores) {
        StringBuilder out = new StringBuilder();
        for (String store : stores) {
            List<String> peers = new ArrayList<>();
            for (String peer : PEERS) {
                if (order.stream().anyMatch(f -> values.getOrDefault(f, Map.of()).getOrDefault(store, Map.of())
                        .containsKey(peer))) {
                    peers.add(peer);
                }
            }
            List<String> ratioPeers = RATIO_PEERS.stream().filter(peers::contains).toList();
            List<String[]> rows = new ArrayList<>();
            List<String> header = new ArrayList<>(List.of("workload", "unit"));
            header.addAll(peers);
            ratioPeers.forEach(peer -> header.add("relato/" + peer));
            header.add("target");
            rows.add(header.toArray(String[]::new));
            for (Figure figure : order) {
                Map<String, Double> measured = values.getOrDefault(figure, Map.of()).get(store);
                if (measured == null) {
                    continue;
                }
                List<String> row = new ArrayList<>(List.of(figure.label(), figure.unit().label));
                for (String peer : peers) {
                    Double value = measured.get(peer);
                    row.add(value == null ? "-" : format(value, figure.unit()));
                }
                for (String peer : ratioPeers) {
                    Double relato = measured.get(Backend.RELATO);
                    Double other = measured.get(peer);
                    row.add(relato == null || other == null || other == 0 ? "-"
                            : ratio(relato / other, figure.unit()) + " " + aheadOrBehind(relato, other, figure.unit()));
                }
                List<String> verdicts = new ArrayList<>();
                for (Target target : targets.getOrDefault(figure, Map.of()).getOrDefault(store, List.of())) {
                    verdicts.add(target.text(figure.unit()) + " " + target.met(figure.unit(), measured)
                            .map(met -> met ? "ok" : "MISS").orElse("n/a"));
                }
                row.add(String.join("; ", verdicts));
                rows.add(row.toArray(String[]::new));
            }
            out.append(storeTitles.getOrDefault(store, store)).append(System.lineSeparator());
            out.append(layOut(rows)).append(System.lineSeparator());
        }
        for (String note : notes) {
            out.append(note).append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String aheadOrBehind(double relato, double other, Unit unit) {
        if (relato == other) {
            return "even";
        }
        return (unit.higherIsBetter ? relato > other : relato < other) ? "ahead" : "behind";
    }

    private static String layOut(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                String cell = row[c];
                boolean left = c < 2 || c == columns - 1;
                line.append(left ? cell + " ".repeat(widths[c] - cell.length())
                        : " ".repeat(widths[c] - cell.length()) + cell);
                line.append(c == columns - 1 ? "" : "  ");
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
            if (r == 0) {
                int total = 0;
                for (int w : widths) {
                    total += w + 2;
                }
                out.append("-".repeat(total - 2)).append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    private static String ratio(double ratio, Unit unit) {
        return ratio >= 100 ? String.format(Locale.ROOT, "%.0f", ratio) : String.format(Locale.ROOT, "%.2f", ratio);
    }

    static String format(double value, Unit unit) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return switch (unit) {
            case EVENTS_PER_SECOND, COUNT -> String.format(Locale.ROOT, "%,.0f", value);
            case MS_PER_LOAD, MILLISECONDS -> value >= 100 ? String.format(Locale.ROOT, "%.0f", value)
                    : value >= 10 ? String.format(Locale.ROOT, "%.1f", value)
                    : value >= 1 ? String.format(Locale.ROOT, "%.2f", value) : String.format(Locale.ROOT, "%.3f", value);
            case MEGABYTES -> String.format(Locale.ROOT, "%.0f", value);
            case RATIO -> String.format(Locale.ROOT, "%.2f", value);
        };
    }
}
