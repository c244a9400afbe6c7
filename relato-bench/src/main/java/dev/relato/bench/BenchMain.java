package dev.relato.bench;

import dev.relato.bench.Results.Figure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bench's entry point: runs every workload on each chosen backend, for Relato and the peers the backend has
 * (the leanest plain JDBC, Axon Framework), each system in JVMs of its own (see {@link #run}), and prints one table
 * per backend of medians and ratios on standard output (progress goes to standard error); or, with
 * {@code --growth}, the growth run. Timings are never asserted:
 * the exit status is 0 unless a workload failed or read back a wrong result.
 */
public final class BenchMain {
    private static final Logger LOG = LoggerFactory.getLogger(BenchMain.class);

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.growth()) {
            System.out.print(GrowthRun.run(options));
            return;
        }
        Instant start = Instant.now();
        Results results = run(options);
        Duration took = Duration.between(start, Instant.now());
        System.out.println(header(options, took));
        System.out.print(results.table(options.backends()));
        List<String> misses = results.misses();
        System.out.println(misses.isEmpty() ? "All targets met." : "Targets missed:");
        misses.forEach(miss -> System.out.println("- " + miss));
    }

    /**
     * Runs the bench and returns its figures: for each backend, round after round, each system in a JVM of its own
     * (its warm-up rounds, then one measured round), the systems taking turns in an order that alternates from round
     * to round, so that drift over the run falls on all of them; each figure is the median of the rounds.
     */
    static Results run(BenchOptions options) throws Exception {
        Results results = new Results();
        try (Workloads workloads = new Workloads(options, results)) {
            for (String name : options.backends()) {
                workloads.declareTargets(name);
                List<String> systems = kinds(name).stream().filter(options.peers()::contains).toList();
                Map<Figure, Map<String, Map<String, List<Double>>>> rounds = new LinkedHashMap<>();
                for (int r = 0; r < options.rounds(); r++) {
                    for (int k = 0; k < systems.size(); k++) {
                        String system = systems.get(r % 2 == 0 ? k : systems.size() - 1 - k);
                        LOG.info("{}: round {} of {}, {} in a JVM of its own", name, r + 1, options.rounds(), system);
                        SystemProcess.Round round = SystemProcess.fork(name, system, options);
                        results.title(name, round.title());
                        for (SystemProcess.Value v : round.values()) {
                            rounds.computeIfAbsent(v.figure(), f -> new LinkedHashMap<>())
                                    .computeIfAbsent(v.store(), s -> new LinkedHashMap<>())
                                    .computeIfAbsent(v.peer(), p -> new ArrayList<>()).add(v.value());
                        }
                    }
                }
                rounds.forEach((figure, byStore) -> byStore.forEach((store, byPeer) -> byPeer.forEach((peer, values) ->
                        results.put(figure, store, peer,
                                Rounds.median(values.stream().mapToDouble(Double::doubleValue).toArray())))));
            }
        }
        results.note("relato/jdbc and relato/axon are Relato's figure divided by the peer's, on the same database in"
                + " the same run: for rates above 1 is ahead; for times and counts below 1 is ahead.");
        results.note("jdbc is the leanest correct plain-JDBC code; axon is Axon Framework's JdbcEventStorageEngine"
                + " (no W3, W6: '-').");
        results.note("Each round runs each system in a JVM of its own (warm-up rounds, then one measured round), the"
                + " systems taking turns in an order alternating from round to round; each figure is the median of the"
                + " rounds. W4 on sqlite and postgres reads in a further JVM with -Xmx" + ReadAllProcess.MAX_HEAP
                + " (the in-memory store's log lives in the heap, so memory reads in the system's JVM); W6, over the"
                + " whole W4 log, runs without warm-up.");
        return results;
    }

    /** The kinds of subject a backend has, without opening it. */
    private static List<String> kinds(String name) {
        return switch (name) {
            case "memory" -> MemoryBackend.KINDS;
            case "sqlite" -> SqliteBackend.KINDS;
            case "postgres" -> PostgresBackend.KINDS;
            default -> throw new IllegalArgumentException("backend '" + name + "' is not available");
        };
    }

    /** Opens a new backend of this name. */
    static Backend open(String name, BenchOptions options) {
        return switch (name) {
            case "memory" -> new MemoryBackend();
            case "sqlite" -> SqliteBackend.create();
            case "postgres" -> PostgresBackend.create(options.pgUrl(), options.pgUser(), options.pgPassword());
            default -> throw new IllegalArgumentException("backend '" + name + "' is not available");
        };
    }

    private static String header(BenchOptions options, Duration took) {
        Runtime runtime = Runtime.getRuntime();
        return String.format(Locale.ROOT, "Relato bench: scale %s, %d measured rounds, each system in a JVM of its"
                        + " own per round after %d warm-up round(s), medians;"
                        + " Java %s, %d CPUs, %s; run took %d s",
                options.scale(), options.rounds(), options.warmups(),
                Runtime.version(), runtime.availableProcessors(), System.getProperty("os.name"), took.toSeconds());
    }
}
