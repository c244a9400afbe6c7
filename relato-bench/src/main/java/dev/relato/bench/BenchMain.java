package dev.relato.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bench's entry point: runs every workload on each chosen backend, for Relato and the peers the backend has
 * (the leanest plain JDBC, Axon Framework), and prints one table per backend of medians and ratios on standard
 * output (progress goes to standard error); or, with {@code --growth}, the growth run. Timings are never asserted:
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

    /** Runs the bench and returns its figures. */
    static Results run(BenchOptions options) throws Exception {
        Results results = new Results();
        try (Workloads workloads = new Workloads(options, results)) {
            for (String name : options.backends()) {
                LOG.info("{}: starting", name);
                try (Backend backend = open(name, options)) {
                    workloads.run(backend);
                }
            }
        }
        results.note("relato/jdbc and relato/axon are Relato's figure divided by the peer's, on the same database in"
                + " the same run: for rates above 1 is ahead; for times and counts below 1 is ahead.");
        results.note("jdbc is the leanest correct plain-JDBC code; axon is Axon Framework's JdbcEventStorageEngine"
                + " (no W3, W6: '-').");
        results.note("W4 runs in a forked JVM with -Xmx" + ReadAllProcess.MAX_HEAP + " (the in-memory store's log lives"
                + " in the heap, so memory runs W4 in the main JVM). W4 runs at most 3 measured rounds; W6,"
                + " over the whole W4 log, one run without warm-up.");
        return results;
    }

    private static Backend open(String name, BenchOptions options) {
        return switch (name) {
            case "memory" -> new MemoryBackend();
            case "sqlite" -> SqliteBackend.create();
            case "postgres" -> PostgresBackend.create(options.pgUrl(), options.pgUser(), options.pgPassword());
            default -> throw new IllegalArgumentException("backend '" + name + "' is not available");
        };
    }

    private static String header(BenchOptions options, Duration took) {
        Runtime runtime = Runtime.getRuntime();
        return String.format(Locale.ROOT, "Relato bench: scale %s, %d warm-up + %d measured rounds, medians;"
                        + " Java %s, %d CPUs, %s; run took %d s",
                options.scale(), options.warmups(), options.rounds(),
                Runtime.version(), runtime.availableProcessors(), System.getProperty("os.name"), took.toSeconds());
    }
}
