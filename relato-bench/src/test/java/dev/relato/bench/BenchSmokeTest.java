package dev.relato.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.postgres.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs every workload at the smallest size, once, to prove the harness measures what it claims: each workload
 * checks its own results (events stored, states folded, events read back in the forked JVM, deliveries seen by
 * both subscribers) and fails on a wrong one. Timings are printed by the bench, never asserted here: these tests
 * only check that every figure the table should hold was measured, for every peer that runs it.
 */
class BenchSmokeTest {
    private static final List<String> APPENDS_AND_READS = List.of("W1 ", "W2 single appends", "W4 global read",
            "W5 ");
    private static final List<String> EVERY_SQL_WORKLOAD = List.of("W1 ", "W2 single appends", "W3 ", "W4 ", "W5 ",
            "W6 ");

    @Test
    void everyWorkloadRunsInMemoryAndOnSqlite() throws Exception {
        Results results = BenchMain.run(tiny("memory,sqlite"));

        assertEveryValueMeasured(results);
        assertMeasured(results, "memory", List.of("W1 ", "W2 single appends", "W3 ", "W4 global read", "W5 ", "W6 ",
                "W7 ", "Delivery to a subscriber, same process"), Backend.RELATO);
        assertMeasured(results, "sqlite", EVERY_SQL_WORKLOAD, Backend.RELATO, Backend.JDBC, Backend.JDBC_WIDE);
        assertMeasured(results, "sqlite", List.of("Delivery to a subscriber"), Backend.RELATO);
        assertMeasured(results, "memory", List.of("W1 ", "W5 "), Backend.RELATO_ENCRYPTED);
        assertMeasured(results, "sqlite", List.of("W1 ", "W5 "), Backend.RELATO_ENCRYPTED);
        assertThat(results.table(List.of("memory", "sqlite")))
                .contains("W1 batch append", "W5 load 100-event aggregate", "relato/jdbc", "jdbc-wide",
                        "<= 1.20 x jdbc", ">= 1,000,000 events/s");
    }

    @Test
    void everyWorkloadRunsOnPostgresBesideAxon() throws Exception {
        Results results = BenchMain.run(tiny("postgres", "--pg-url", TestDatabase.url()));

        assertEveryValueMeasured(results);
        assertMeasured(results, "postgres", EVERY_SQL_WORKLOAD, Backend.RELATO, Backend.JDBC, Backend.JDBC_WIDE);
        assertMeasured(results, "postgres", APPENDS_AND_READS, Backend.AXON);
        assertMeasured(results, "postgres", List.of("W1 ", "W5 "), Backend.RELATO_ENCRYPTED);
        assertMeasured(results, "postgres", List.of("W2 8 writers, caller's", "Delivery to a subscriber"),
                Backend.RELATO);
        results.figures().forEach((figure, byStore) -> {
            if (figure.label().startsWith("W3 ") || figure.label().startsWith("W6 ")) {
                assertThat(byStore.get("postgres")).as(figure.label()).doesNotContainKey(Backend.AXON);
            }
        });
        assertThat(results.table(List.of("postgres"))).contains("relato/axon", "ahead of axon", "PostgreSQL");
    }

    @Test
    void aSystemsJvmMeasuresThatSystemAloneOnANewBackend() throws Exception {
        SystemProcess.Round round = SystemProcess.fork("sqlite", Backend.JDBC, tiny("sqlite", "--workloads", "w1,w5"));

        assertThat(round.title()).startsWith("sqlite:");
        assertThat(round.values()).extracting(SystemProcess.Value::peer).containsOnly(Backend.JDBC);
        assertThat(round.values()).extracting(v -> v.figure().label())
                .anyMatch(label -> label.startsWith("W1 ")).anyMatch(label -> label.startsWith("W5 "))
                .noneMatch(label -> label.startsWith("W2 "));
    }

    @Test
    void theGrowthRunReportsEachStepSizesAndHeap() throws Exception {
        String report = GrowthRun.run(BenchOptions.parse("--growth-events", "2000", "--pg-url", TestDatabase.url()));

        assertThat(report).contains("0 to 200", "1,800 to 2,000", "slowest / fastest step", "all tables",
                "most heap after GC MB");
    }

    @Test
    void optionsParseAndScale() {
        BenchOptions quick = BenchOptions.parse("--quick", "--backends", "sqlite,memory", "--rounds", "2", "--peers",
                "axon");

        assertThat(quick.backends()).containsExactly("sqlite", "memory");
        assertThat(quick.peers()).containsExactly(Backend.RELATO, Backend.AXON);
        assertThat(quick.rounds()).isEqualTo(2);
        assertThat(quick.scaled(500, 5)).isEqualTo(25);
        assertThat(quick.scaled(10, 5)).isEqualTo(5);
        assertThat(quick.growth()).isFalse();
        assertThat(BenchOptions.parse("--growth").growthEvents()).isEqualTo(10_000_000);
    }

    /** A rate, size or ratio is positive; a count of conflicts or a latency may be 0 at this size. */
    private static void assertEveryValueMeasured(Results results) {
        results.figures().forEach((figure, byStore) -> byStore.forEach((store, byPeer) -> byPeer.forEach((peer, value) -> {
            String what = store + " " + peer + " " + figure.label();
            if (figure.unit() == Results.Unit.COUNT || figure.unit() == Results.Unit.MILLISECONDS) {
                assertThat(value).as(what).isGreaterThanOrEqualTo(0);
            } else {
                assertThat(value).as(what).isPositive();
            }
        })));
    }

    /** Every figure whose label starts with one of these has a value of each of these peers on the store. */
    private static void assertMeasured(Results results, String store, List<String> labels, String... peers) {
        for (String label : labels) {
            List<Results.Figure> figures = results.figures().keySet().stream()
                    .filter(f -> f.label().startsWith(label)).toList();
            assertThat(figures).as(label).isNotEmpty();
            for (Results.Figure figure : figures) {
                Map<String, Double> values = results.figures().get(figure).getOrDefault(store, Map.of());
                assertThat(values).as(store + " " + figure.label()).containsKeys(peers);
            }
        }
    }

    private static BenchOptions tiny(String backends, String... more) {
        List<String> args = new ArrayList<>(List.of("--backends", backends, "--peers", "jdbc,jdbc-wide,axon,relato-encrypted",
                "--scale", "0.001", "--warmups", "0", "--rounds", "1"));
        args.addAll(List.of(more));
        return BenchOptions.parse(args.toArray(String[]::new));
    }
}
