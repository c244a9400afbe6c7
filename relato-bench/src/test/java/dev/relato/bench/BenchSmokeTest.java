package dev.relato.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.postgres.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs every workload at the smallest size, once, to prove the harness measures what it claims: each workload
 * checks its own results (events stored, states folded, events read back in the forked JVM) and fails on a
 * wrong one. Timings are printed by the bench, never asserted here.
 */
class BenchSmokeTest {
    @Test
    void everyWorkloadRunsInMemoryAndOnSqlite() throws Exception {
        Results results = BenchMain.run(tiny("memory,sqlite"));

        assertThat(results.figures()).hasSize(12);
        results.figures().forEach((figure, cells) -> {
            assertMeasured(figure, cells.get("sqlite").relato());
            assertMeasured(figure, cells.get("sqlite").jdbc());
            if (figure.unit() != Results.Unit.MEGABYTES) { // W4 on the in-memory store runs in the main JVM
                assertMeasured(figure, cells.get("memory").relato());
            }
        });
        String table = results.table(List.of("memory", "sqlite"));
        assertThat(table).contains("W1 batch append", "W5 load 100-event aggregate", "sqlite relato", "sqlite jdbc");
    }

    @Test
    void everyWorkloadRunsOnPostgres() throws Exception {
        Results results = BenchMain.run(tiny("postgres", "--pg-url", TestDatabase.url()));

        results.figures().forEach((figure, cells) -> {
            assertMeasured(figure, cells.get("postgres").relato());
            assertMeasured(figure, cells.get("postgres").jdbc());
        });
    }

    /** A rate, time or size is positive; a count of conflicts may be 0 at this size. */
    private static void assertMeasured(Results.Figure figure, double value) {
        if (figure.unit() == Results.Unit.COUNT) {
            assertThat(value).as(figure.label()).isGreaterThanOrEqualTo(0);
        } else {
            assertThat(value).as(figure.label()).isPositive();
        }
    }

    @Test
    void optionsParseAndScale() {
        BenchOptions quick = BenchOptions.parse("--quick", "--backends", "sqlite,memory", "--rounds", "2");

        assertThat(quick.backends()).containsExactly("sqlite", "memory");
        assertThat(quick.rounds()).isEqualTo(2);
        assertThat(quick.scaled(500, 5)).isEqualTo(25);
        assertThat(quick.scaled(10, 5)).isEqualTo(5);
    }

    private static BenchOptions tiny(String backends, String... more) {
        List<String> args = new ArrayList<>(List.of("--backends", backends, "--scale", "0.001", "--warmups", "0",
                "--rounds", "1"));
        args.addAll(List.of(more));
        return BenchOptions.parse(args.toArray(String[]::new));
    }
}
