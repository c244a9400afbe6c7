package dev.relato.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The command line of the bench. Immutable and thread-safe.
 *
 * @param backends     which backends to run, in order: {@code memory}, {@code sqlite}, {@code postgres}
 * @param peers        which peers to measure beside Relato where a backend has them: {@code jdbc},
 *                     {@code jdbc-wide}, {@code axon} ({@code relato} is always measured)
 * @param scale        multiplies every workload's size (1 = the documented sizes)
 * @param warmups      unmeasured rounds before the measured ones
 * @param rounds       measured rounds; each figure is their median
 * @param pgUrl        JDBC URL of the PostgreSQL server
 * @param pgUser       PostgreSQL user
 * @param pgPassword   PostgreSQL password (may be empty)
 * @param growthEvents 0 for the workloads; above 0, the growth run instead, appending this many events
 * @param workloads    which workloads to run, from {@link #ALL_WORKLOADS} (the figures of the others stay empty)
 */
record BenchOptions(List<String> backends, List<String> peers, double scale, int warmups, int rounds, String pgUrl,
                    String pgUser, String pgPassword, long growthEvents, Set<String> workloads) {
    static final List<String> ALL_BACKENDS = List.of("memory", "sqlite", "postgres");
    /** The workloads by name: W1 to W7, W2 in the caller's transaction ({@code w2c}) and the delivery latency. */
    static final List<String> ALL_WORKLOADS = List.of("w1", "w2", "w2c", "w3", "w4", "w5", "w6", "w7", "delivery");
    static final List<String> ALL_PEERS = List.of(Backend.RELATO, Backend.JDBC, Backend.JDBC_WIDE, Backend.AXON,
            Backend.RELATO_ENCRYPTED);
    static final List<String> DEFAULT_PEERS = List.of(Backend.RELATO, Backend.JDBC, Backend.AXON);
    /** The growth run's default size. */
    static final long GROWTH_EVENTS = 10_000_000;

    BenchOptions {
        backends = List.copyOf(known(backends, ALL_BACKENDS, "backend"));
        Set<String> chosen = new LinkedHashSet<>();
        chosen.add(Backend.RELATO);
        chosen.addAll(known(peers, ALL_PEERS, "peer"));
        peers = List.copyOf(chosen);
        if (!(scale > 0 && scale <= 10)) {
            throw new IllegalArgumentException("scale must be above 0 and at most 10, got " + scale);
        }
        if (warmups < 0 || rounds < 1) {
            throw new IllegalArgumentException("need 0 or more warm-up rounds and 1 or more measured rounds");
        }
        workloads = Set.copyOf(known(workloads, ALL_WORKLOADS, "workload"));
        if (growthEvents < 0 || (growthEvents > 0 && growthEvents < GrowthRun.STEPS * GrowthRun.BATCH)) {
            throw new IllegalArgumentException("the growth run needs at least " + GrowthRun.STEPS * GrowthRun.BATCH
                    + " events, got " + growthEvents);
        }
    }

    static final String USAGE = """
            usage: java -jar relato-bench.jar [options]
              --backends LIST     comma-separated, from memory,sqlite,postgres (default: all)
              --peers LIST        peers beside Relato, from jdbc,jdbc-wide,axon,relato-encrypted (default: jdbc,axon);
                                  relato-encrypted runs W1 and W5 with personal fields encrypted
              --workloads LIST    comma-separated, from w1,w2,w2c,w3,w4,w5,w6,w7,delivery (default: all)
              --quick             a fast run: scale 0.05, 1 warm-up and 3 measured rounds
              --scale F           multiply every workload's size by F (default 1)
              --rounds N          measured rounds per figure (default 5)
              --warmups N         warm-up rounds before them (default 1)
              --growth            instead of the workloads: the growth run on PostgreSQL (10,000,000 events)
              --growth-events N   the growth run with N events (implies --growth)
              --pg-url URL        PostgreSQL JDBC URL (default jdbc:postgresql://127.0.0.1:5432/test)
              --pg-user NAME      PostgreSQL user (default postgres)
              --pg-password PW    PostgreSQL password (default empty)
              --help              this text
            """;

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static BenchOptions parse(String... args) {
        List<String> backends = new ArrayList<>(ALL_BACKENDS);
        List<String> peers = DEFAULT_PEERS;
        List<String> workloads = ALL_WORKLOADS;
        double scale = 1;
        int warmups = 1;
        int rounds = 5;
        long growth = 0;
        String url = "jdbc:postgresql://127.0.0.1:5432/test";
        String user = "postgres";
        String password = "";
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> {
                    scale = 0.05;
                    rounds = 3;
                }
                case "--backends" -> backends = list(value(args, ++i, arg));
                case "--peers" -> peers = list(value(args, ++i, arg));
                case "--workloads" -> workloads = list(value(args, ++i, arg));
                case "--scale" -> scale = number(value(args, ++i, arg), arg);
                case "--rounds" -> rounds = (int) number(value(args, ++i, arg), arg);
                case "--warmups" -> warmups = (int) number(value(args, ++i, arg), arg);
                case "--growth" -> growth = growth == 0 ? GROWTH_EVENTS : growth;
                case "--growth-events" -> growth = (long) number(value(args, ++i, arg), arg);
                case "--pg-url" -> url = value(args, ++i, arg);
                case "--pg-user" -> user = value(args, ++i, arg);
                case "--pg-password" -> password = value(args, ++i, arg);
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        return new BenchOptions(backends, peers, scale, warmups, rounds, url, user, password, growth,
                new LinkedHashSet<>(workloads));
    }

    /** Whether the workload of this name (from {@link #ALL_WORKLOADS}) runs. */
    boolean runs(String workload) {
        return workloads.contains(workload);
    }

    /** Whether this is the growth run rather than the workloads. */
    boolean growth() {
        return growthEvents > 0;
    }

    /** {@code size} times the scale, at least {@code min}. */
    int scaled(int size, int min) {
        return (int) Math.max(min, Math.round(size * scale));
    }

    /**
     * The chosen names, each one of {@code all}.
     *
     * @throws IllegalArgumentException naming an unknown one, or if there is none (but for peers)
     */
    private static Collection<String> known(Collection<String> chosen, List<String> all, String what) {
        for (String name : chosen) {
            if (!all.contains(name)) {
                throw new IllegalArgumentException("unknown " + what + " '" + name + "'; choose from " + all);
            }
        }
        if (chosen.isEmpty() && !what.equals("peer")) {
            throw new IllegalArgumentException("no " + what + " to run");
        }
        return chosen;
    }

    private static List<String> list(String text) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String item : text.split(",")) {
            chosen.add(item.trim().toLowerCase(Locale.ROOT));
        }
        return new ArrayList<>(chosen);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static double number(String text, String option) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + text + "'");
        }
    }
}
