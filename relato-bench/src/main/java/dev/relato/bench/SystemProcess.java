package dev.relato.bench;

import dev.relato.bench.Results.Figure;
import dev.relato.bench.Results.Unit;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One round of one system on one backend in a JVM of its own: {@link #fork} re-launches this program's class path
 * with the same {@code java}, and {@link #main} opens a new backend (a new schema, file or store), runs the chosen
 * workloads for that system alone (the warm-up rounds, then one measured round) and prints every figure it measured
 * as a line on standard output, which {@link #fork} reads back. So no system runs on a JIT, heap or cache another
 * system warmed or filled.
 */
final class SystemProcess {
    private static final String TITLE = "SYSTEM-TITLE";
    private static final String FIGURE = "SYSTEM-FIGURE";

    private SystemProcess() {
    }

    /** What one round of one system measured. */
    record Round(String title, List<Value> values) {
    }

    /** One figure of one round, for one peer on one store. */
    record Value(Figure figure, String store, String peer, double value) {
    }

    /**
     * Runs one round of {@code system} on {@code backend} in a forked JVM.
     *
     * @throws IllegalStateException if the process fails
     */
    static Round fork(String backend, String system, BenchOptions options) throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>();
        String jfr = System.getProperty("relato.bench.jfr");
        if (jfr != null) {
            jvm.add("-Drelato.bench.jfr=" + jfr);
            jvm.add("-XX:StartFlightRecording=filename=" + jfr + "-" + backend + "-" + system + "-"
                    + System.nanoTime() + ".jfr,settings=profile");
        }
        List<String> args = new ArrayList<>(List.of(backend, system,
                "--backends", backend,
                "--workloads", String.join(",", options.workloads()),
                "--scale", Double.toString(options.scale()),
                "--warmups", Integer.toString(options.warmups()),
                "--rounds", "1",
                "--pg-url", options.pgUrl(),
                "--pg-user", options.pgUser()));
        Process process = Fork.of(jvm, SystemProcess.class, args, options.pgPassword()).start();
        String title = backend;
        List<Value> values = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                String[] parts = line.split("\t");
                if (parts[0].equals(TITLE) && parts.length == 2) {
                    title = parts[1];
                } else if (parts[0].equals(FIGURE) && parts.length == 6) {
                    values.add(new Value(new Figure(parts[1], Unit.valueOf(parts[2])), parts[3], parts[4],
                            Double.parseDouble(parts[5])));
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("the process of " + backend + "/" + system + " failed (exit " + exit
                    + "); see its output above");
        }
        return new Round(title, values);
    }

    /**
     * Arguments: the backend, the system, then the bench's options ({@code --rounds 1}); the PostgreSQL password comes
     * from the environment. Prints the backend's title and one line per figure measured on standard output.
     */
    public static void main(String[] args) throws Exception {
        String backendName = args[0];
        String system = args[1];
        BenchOptions parsed = BenchOptions.parse(List.of(args).subList(2, args.length).toArray(String[]::new));
        BenchOptions options = new BenchOptions(parsed.backends(), List.of(system), parsed.scale(), parsed.warmups(),
                parsed.rounds(), parsed.pgUrl(), parsed.pgUser(),
                System.getenv().getOrDefault(PostgresBackend.PASSWORD_VARIABLE, ""), 0, parsed.workloads());
        Results results = new Results();
        try (Workloads workloads = new Workloads(options, results);
             Backend backend = BenchMain.open(backendName, options)) {
            System.out.println(TITLE + "\t" + backend.title());
            workloads.run(backend, system);
        }
        results.figures().forEach((figure, byStore) -> byStore.forEach((store, byPeer) -> byPeer.forEach(
                (peer, value) -> System.out.println(String.join("\t", FIGURE, figure.label(), figure.unit().name(),
                        store, peer, String.format(Locale.ROOT, "%s", value))))));
        System.out.println("SYSTEM-SINK\t" + Blackhole.value()); // observably used, so the JIT keeps the reads
        System.out.flush();
    }
}
