package dev.relato.bench;

import dev.relato.sqlite.SqliteEventStore;
import dev.relato.sqlite.SqliteProjectionTransactions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One SQLite file in a temporary directory, deleted on close: Relato's tables (prefix {@code relato_}, its read
 * model {@code app_balances}) and the plain-JDBC twin's (prefix {@code jdbc_}) side by side, with the same
 * connection settings.
 */
final class SqliteBackend extends Backend {
    private final Path directory; // null when attached
    private final Path file;

    private SqliteBackend(Path directory, Path file) {
        this.directory = directory;
        this.file = file;
    }

    /** A new database in a new temporary directory. */
    static SqliteBackend create() {
        try {
            Path directory = Files.createTempDirectory("relato-bench-");
            return new SqliteBackend(directory, directory.resolve("bench.db"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }

    static SqliteBackend attach(List<String> args) {
        return new SqliteBackend(null, Path.of(args.get(0)));
    }

    @Override
    String name() {
        return "sqlite";
    }

    @Override
    Subject openRelato() {
        SqliteEventStore store = SqliteEventStore.builder().path(file).build();
        JdbcSubject.Connections inStore = new JdbcSubject.Connections() {
            @Override
            public <T> T run(JdbcSubject.SqlWork<T> work) {
                return store.callInTransaction(tx -> work.run(tx.connection()));
            }
        };
        ReadModel<?> balances = new ReadModel.Sql(new JdbcSql(JdbcSql.Dialect.SQLITE, "", "app_"),
                new SqliteProjectionTransactions(store), inStore);
        return new RelatoSubject(store, store.snapshots(), balances, store);
    }

    @Override
    Optional<Subject> openJdbc() {
        SqliteConnection writer = SqliteConnection.writer(file);
        SqliteConnection reader = SqliteConnection.reader(file);
        AutoCloseable both = () -> {
            try (reader; writer) {
                // closes both
            }
        };
        return Optional.of(new JdbcSubject(new JdbcSql(JdbcSql.Dialect.SQLITE, "", "jdbc_"), writer, reader, both)
                .createTables());
    }

    @Override
    Optional<List<String>> attachArguments() {
        return Optional.of(List.of(file.toString()));
    }

    @Override
    void cleanUp() {
        if (directory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }
}
