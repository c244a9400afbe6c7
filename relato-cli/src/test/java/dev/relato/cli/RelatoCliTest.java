package dev.relato.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.relato.sqlite.SqliteDeadLetterStore;
import dev.relato.sqlite.SqliteEventStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line in this JVM: help of every command and the errors of bad input (the IT runs the jar). */
class RelatoCliTest {
    @TempDir
    static Path dir;
    static String store;

    @BeforeAll
    static void writeEvents() {
        Path file = dir.resolve("orders.db");
        store = "sqlite:" + file;
        try (SqliteEventStore events = SqliteEventStore.open(file)) {
            Fixture.write(events, events.checkpoints(), new SqliteDeadLetterStore(events));
        }
    }

    static Cli.Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RelatoCli.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Cli.Result(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"schema print", "schema write", "schema migrate", "schema status", "streams list",
            "stream read", "log read", "log tail", "projections list", "projections status", "projections reset",
            "projections rebuild", "dead-letters list", "dead-letters show", "dead-letters discard", "console"})
    void everyCommandHasHelpWithAnExample(String command) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.add("--help");
        Cli.Result result = run(args.toArray(String[]::new));
        assertThat(result.code()).as(result.toString()).isZero();
        assertThat(result.out()).contains("Usage: relato " + command).contains("Example");
    }

    @Test
    void badInputGetsOneLineAndExitCode() {
        expect(run("streams", "list", "--store", "sqlite:" + dir.resolve("missing.db")), 1, "no SQLite store at");
        expect(run("streams", "list", "--store", "sqlite:"), 2, "sqlite: needs a file path");
        expect(run("stream", "read", "Order-o-1", "--from", "two", "--store", store), 2, "version 'two' is not a whole number");
        expect(run("stream", "read", "Order-o-1", "--from", "0", "--store", store), 2, "version must be 1 or more");
        expect(run("log", "read", "--after", "-5", "--store", store), 2, "position must be 0 or more, got -5");
        expect(run("log", "read", "--after", "99999999999999999999999", "--store", store), 2, "is not a whole number");
        expect(run("stream", "read", "Order-" + "x".repeat(10_000), "--store", store), 2,
                "stream name is 10006 characters long");
        expect(run("stream", "read", "Order-a\u0000b", "--store", store), 2, "contains the control character U+0000");
        expect(run("stream", "read", "Order-a\ud800b", "--store", store), 2, "contains an unpaired surrogate at index 7");
        expect(run("projections", "status", "x".repeat(10_000), "--store", store), 2,
                "projection name is 10000 characters long");
        expect(run("stream", "read", "noDash", "--store", store), 2, "has no '-'");
        expect(run("log", "read", "--category", "bad category!", "--store", store), 2, "bad category!");
        expect(run("streams", "lst", "--store", store), 2, "Unmatched argument");
        expect(run("projections", "reset", "order-list", "--store", store), 2, "Missing required option: '--to=POSITION'");
        expect(run("log", "tail", "--last", "20000", "--store", store), 2, "--last must be 1 to 10000");
        expect(run("schema", "write", dir.toString(), "--filename", "../x.sql", "--store", "jdbc:postgresql://127.0.0.1:1/none"),
                2, "file name '../x.sql' is not allowed");
    }

    static void expect(Cli.Result result, int code, String error) {
        assertThat(result.code()).as(result.toString()).isEqualTo(code);
        assertThat(result.err()).as(result.toString()).contains(error).doesNotContain("\tat ");
        assertThat(result.err().lines().filter(l -> l.startsWith("relato: ")).count()).as(result.toString()).isEqualTo(1);
    }
}
