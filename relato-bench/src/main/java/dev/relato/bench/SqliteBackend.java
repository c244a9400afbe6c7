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
 * One SQLite file in a temporary directory, deleted on close: Relato's tables (its read model
 * {@code app_balances}) and the plain-JDBC peers' (prefixes {@code jdbc_} and {@code wide_}) side by side, with the
 * same connection settings.
 */
final class SqliteBackend extends Backend {
    /** Its {@link #kinds()}, known before it is opened. */
    static final List<String> KINDS = List.of(RELATO, RELATO_ENCRYPTED, JDBC, JDBC_WIDE);
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
    String title() {
        return "sqlite: one file in WAL mode, synchronous NORMAL, for every peer";
    }

    @Override
    List<String> kinds() {
        return KINDS;
    }

    @Override
    Subject open(String kind) {
        return switch (kind) {
            case RELATO, RELATO_ENCRYPTED -> {
                boolean encrypted = kind.equals(RELATO_ENCRYPTED);
                SqliteEventStore store = SqliteEventStore.builder().path(file).tablePrefix(encrypted ? "enc_" : "")
                        .build();
                JdbcSubject.Connections inStore = new JdbcSubject.Connections() {
                    @Override
                    public <T> T run(JdbcSubject.SqlWork<T> work) {
                        return store.callInTransaction(tx -> work.run(tx.connection()));
                    }
                };
                ReadModel<?> balances = new ReadModel.Sql(
                        new JdbcSql(JdbcSql.Dialect.SQLITE, JdbcSql.Shape.LEAN, "", encrypted ? "enc_app_" : "app_"),
                        new SqliteProjectionTransactions(store), inStore);
                yield encrypted ? RelatoSubject.encrypted(store, store.dataKeys(), store.snapshots(), balances, store)
                        : new RelatoSubject(store, store.snapshots(), balances, store);
            }
            case JDBC -> jdbc(JdbcSql.Shape.LEAN, "jdbc_");
            case JDBC_WIDE -> jdbc(JdbcSql.Shape.RELATO, "wide_");
            default -> throw new IllegalArgumentException("sqlite has no subject '" + kind + "'");
        };
    }

    private Subject jdbc(JdbcSql.Shape shape, String prefix) {
        SqliteConnection writer = SqliteConnection.writer(file);
        SqliteConnection reader = SqliteConnection.reader(file);
        AutoCloseable both = () -> {
            try (reader; writer) {
                // closes both
            }
        };
        return new JdbcSubject(new JdbcSql(JdbcSql.Dialect.SQLITE, shape, "", prefix), writer, reader, both)
                .createTables();
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
