package dev.relato.cli;

import dev.relato.cli.ops.MigrationStatus;
import dev.relato.cli.ops.SchemaOperations;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code schema print | write | migrate | status}: the SQL schema of a PostgreSQL store. */
@Command(name = "schema", mixinStandardHelpOptions = true, description = "The SQL schema of a PostgreSQL store.",
        footer = {"", "Example:", "  relato schema write db/migration --store jdbc:postgresql://localhost/app --schema orders"})
final class SchemaCommand {
    @Spec
    CommandSpec spec;

    @Command(name = "print", mixinStandardHelpOptions = true, description = "Prints the whole schema as one SQL script.",
            footer = {"", "Example:", "  relato schema print --store jdbc:postgresql://localhost/app > relato.sql"})
    void print(@Mixin Connect connect) throws Exception {
        connect.run(ops -> spec.commandLine().getOut().print(ops.schema().script()));
    }

    @Command(name = "write", mixinStandardHelpOptions = true,
            description = "Writes the migrations into DIR, one file each with its stable name (V1__events.sql, …), "
                    + "for Flyway or Liquibase; with --filename, the whole schema in one file.",
            footer = {"", "Example:", "  relato schema write src/main/resources/db/migration --store jdbc:postgresql://localhost/app"})
    void write(@Mixin Connect connect, @Parameters(paramLabel = "DIR") Path directory,
               @Option(names = "--filename", paramLabel = "NAME") Optional<String> fileName) throws Exception {
        fileName.ifPresent(SchemaOperations::checkFileName);
        connect.run(ops -> {
            List<Path> written = ops.schema().write(directory, fileName);
            try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json)) {
                written.forEach(p -> printer.row(Printer.row("file", p.toString())));
            }
        });
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Applies the migrations the schema lacks, in one transaction.",
            footer = {"", "Example:", "  relato schema migrate --store jdbc:postgresql://localhost/app"})
    void migrate(@Mixin Connect connect) throws Exception {
        connect.run(ops -> print(connect, ops.schema().migrate()));
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Each shipped migration: applied, pending, or changed (applied with other content).",
            footer = {"", "Example:", "  relato schema status --store jdbc:postgresql://localhost/app"})
    void status(@Mixin Connect connect) throws Exception {
        connect.run(ops -> print(connect, ops.schema().status()));
    }

    private void print(Connect connect, List<MigrationStatus> status) {
        try (Printer printer = new Printer(spec.commandLine().getOut(), connect.json)) {
            status.forEach(m -> printer.row(Rows.migration(m)));
        }
    }

}
