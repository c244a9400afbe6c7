package dev.relato.cli.ops;

import dev.relato.postgres.PostgresSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The SQL schema of a PostgreSQL store: print it, write its migrations as files for Flyway or Liquibase, apply
 * them, and tell which are applied. SQLite stores migrate their file when opened and NATS has no SQL schema.
 * Thread-safe.
 */
public final class SchemaOperations {
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    private final PostgresSchema schema;
    private final Optional<DataSource> dataSource;

    /**
     * @param dataSource where to migrate and look; empty to only print and write
     */
    public SchemaOperations(PostgresSchema schema, Optional<DataSource> dataSource) {
        this.schema = Objects.requireNonNull(schema, "schema");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** For the store, or a clear refusal for stores without a SQL schema. */
    public static SchemaOperations of(StoreTarget target) {
        return new SchemaOperations(target.schema().orElseThrow(() -> new OperationException(
                "schema commands are for PostgreSQL stores: a " + target.kind() + " store "
                        + (target.kind().equals("sqlite") ? "migrates its file itself when opened" : "has no SQL schema"))),
                target.dataSource());
    }

    /** The whole schema as one script. */
    public String script() {
        return schema.sql();
    }

    /**
     * Writes the migrations into {@code directory}: one file per migration with its shipped name
     * ({@code V1__events.sql}, …), or, with {@code fileName}, the whole schema in that one file.
     *
     * @return the files written
     */
    public List<Path> write(Path directory, Optional<String> fileName) {
        fileName.ifPresent(SchemaOperations::checkFileName);
        try {
            Files.createDirectories(directory);
            List<Path> written = new ArrayList<>();
            if (fileName.isPresent()) {
                written.add(Files.writeString(directory.resolve(fileName.get()), script(), StandardCharsets.UTF_8));
            } else {
                for (PostgresSchema.Migration migration : schema.migrations()) {
                    written.add(Files.writeString(directory.resolve(migration.fileName()), migration.sql(),
                            StandardCharsets.UTF_8));
                }
            }
            return written;
        } catch (IOException e) {
            throw new OperationException("cannot write the schema to " + directory + ": " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw new OperationException("cannot write the schema to " + directory + ": " + e.getCause().getMessage());
        }
    }

    /** Checks a file name for {@link #write}: no directory part, no control character. */
    public static String checkFileName(String fileName) {
        if (!FILE_NAME.matcher(fileName).matches()) {
            throw new UsageException("file name '" + Inputs.preview(fileName) + "' is not allowed: use letters, "
                    + "digits, '.', '_' and '-', starting with a letter or digit, up to 200 characters");
        }
        return fileName;
    }

    /** Applies the migrations the schema lacks, and returns the status after. */
    public List<MigrationStatus> migrate() {
        schema.migrate(connections());
        return status();
    }

    /** Each shipped migration and whether the schema has it. */
    public List<MigrationStatus> status() {
        Map<Integer, String> applied = schema.appliedMigrations(connections());
        List<MigrationStatus> status = new ArrayList<>();
        for (PostgresSchema.Migration migration : schema.migrations()) {
            String checksum = applied.get(migration.version());
            String state = checksum == null ? "pending" : checksum.equals(migration.checksum()) ? "applied" : "changed";
            status.add(new MigrationStatus(migration.version(), migration.fileName(), state));
        }
        return status;
    }

    private DataSource connections() {
        return dataSource.orElseThrow(() -> new OperationException("no database to migrate or look at"));
    }
}
