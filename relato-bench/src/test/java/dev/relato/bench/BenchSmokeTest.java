package dev.relato.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs every workload at the smallest size, once, to prove the harness measures what it claims: each workload
 * checks its own results (events stored, states folded, events read back in the forked JVM) and fails on a
 * wrong one. Timings are printed by the bench, never asserted here.
 */
class BenchSmokeTest {
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    @Test
    void everyWorkloadRunsInMemoryAndOnSqlite() throws Exception {
        Results results = BenchMain.run(tiny("memory,sqlite"));

        assertThat(results.figures()).hasSize(11);
        results.figures().forEach((figure, cells) -> {
            assertThat(cells.get("sqlite").relato()).as(figure.label()).isPositive();
            assertThat(cells.get("sqlite").jdbc()).as(figure.label()).isPositive();
        });
        assertThat(results.figures()).allSatisfy((figure, cells) -> {
            if (!figure.label().startsWith("W4 peak") && !figure.label().startsWith("W4 most")) {
                assertThat(cells.get("memory").relato()).as(figure.label()).isPositive();
            }
        });
        String table = results.table(List.of("memory", "sqlite"));
        assertThat(table).contains("W1 batch append", "W5 load 100-event aggregate", "sqlite relato", "sqlite jdbc");
    }

    @Test
    void everyWorkloadRunsOnPostgres() throws Exception {
        Assumptions.assumeTrue(postgresReachable() || "true".equalsIgnoreCase(System.getenv("CI")),
                "no PostgreSQL server at " + PG_URL);

        Results results = BenchMain.run(tiny("postgres"));

        for (Map<String, Results.Cell> cells : results.figures().values()) {
            assertThat(cells.get("postgres").relato()).isPositive();
            assertThat(cells.get("postgres").jdbc()).isPositive();
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

    private static BenchOptions tiny(String backends) {
        return BenchOptions.parse("--backends", backends, "--scale", "0.001", "--warmups", "0", "--rounds", "1");
    }

    private static boolean postgresReachable() {
        try (Connection ignored = DriverManager.getConnection(PG_URL, "postgres", "")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }
}
