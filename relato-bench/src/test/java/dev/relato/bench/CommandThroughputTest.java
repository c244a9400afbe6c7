package dev.relato.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.postgres.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the command throughput workload at its smallest size, once per store, to prove it measures both subjects at
 * both writer counts: each round checks the version every command was answered with and fails on a wrong one.
 * Timings are printed by the workload, never asserted here.
 */
class CommandThroughputTest {

    @Test
    void bothSubjectsRunOnSqlite() throws Exception {
        assertMeasured(CommandThroughput.run("sqlite", "", 1, 20), "sqlite");
    }

    @Test
    void bothSubjectsRunOnPostgres() throws Exception {
        assertMeasured(CommandThroughput.run("postgres", TestDatabase.url(), 1, 20), "postgres");
    }

    private static void assertMeasured(List<CommandThroughput.Figures> figures, String backend) {
        assertThat(figures).extracting(CommandThroughput.Figures::writers).containsExactly(1, 8);
        for (CommandThroughput.Figures f : figures) {
            assertThat(f.backend()).isEqualTo(backend);
            assertThat(f.pipeline()).as("pipeline rate").isPositive().isFinite();
            assertThat(f.plain()).as("plain rate").isPositive().isFinite();
            assertThat(f.toString()).contains("pipeline/plain");
        }
    }
}
