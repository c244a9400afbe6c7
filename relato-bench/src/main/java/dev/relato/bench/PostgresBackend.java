package dev.relato.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.AppendResult;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.postgres.PostgresProjectionTransactions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Schemas of their own on a PostgreSQL server, dropped on close: one for Relato's tables and the plain-JDBC peers'
 * (prefixes {@code jdbc_} and {@code wide_}), used through one HikariCP pool, one for the tables of Relato with
 * personal fields encrypted ({@code <schema>_enc}, same pool), and one for Axon's tables ({@code <schema>_axon})
 * with a pool of its own of the same size. The password travels to a forked JVM in the
 * environment variable {@value #PASSWORD_VARIABLE}, never on its command line.
 */
final class PostgresBackend extends Backend {
    /** Its {@link #kinds()}, known before it is opened. */
    static final List<String> KINDS = List.of(RELATO, RELATO_ENCRYPTED, JDBC, JDBC_WIDE, AXON, RELATO_CALLER_TX);
    static final String PASSWORD_VARIABLE = "RELATO_BENCH_PG_PASSWORD";
    private static final int POOL_SIZE = 10;

    private final String url;
    private final String user;
    private final String password;
    private final String schema;
    private final boolean owned;
    private final HikariDataSource pool;

    private PostgresBackend(String url, String user, String password, String schema, boolean owned) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.schema = schema;
        this.owned = owned;
        this.pool = pool("relato-bench");
    }

    private HikariDataSource pool(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        config.setPoolName(name);
        config.addDataSourceProperty("ApplicationName", name);
        return new HikariDataSource(config);
    }

    /**
     * A new schema on the server.
     *
     * @throws JdbcSubject.JdbcFailure if the server cannot be reached
     */
    static PostgresBackend create(String url, String user, String password) {
        String schema = "relato_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        PostgresBackend backend = new PostgresBackend(url, user, password, schema, true);
        try (Connection connection = backend.pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            backend.pool.close();
            throw new JdbcSubject.JdbcFailure("cannot create schema " + schema + " on " + url, e);
        }
        return backend;
    }

    static PostgresBackend attach(List<String> args) {
        String password = System.getenv().getOrDefault(PASSWORD_VARIABLE, "");
        return new PostgresBackend(args.get(0), args.get(1), password, args.get(2), false);
    }

    @Override
    String name() {
        return "postgres";
    }

    @Override
    String title() {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_setting('server_version'),"
                     + " current_setting('synchronous_commit'), current_setting('shared_buffers')")) {
            rs.next();
            return "postgres: PostgreSQL " + rs.getString(1) + " (synchronous_commit " + rs.getString(2)
                    + ", shared_buffers " + rs.getString(3) + "), HikariCP pools of " + POOL_SIZE;
        } catch (SQLException e) {
            throw new JdbcSubject.JdbcFailure("cannot read the server's version", e);
        }
    }

    /** The schema of Relato's and the plain-JDBC peers' tables. */
    String schema() {
        return schema;
    }

    private String axonSchema() {
        return schema + "_axon";
    }

    /** The schema of the Relato subject with personal fields encrypted: its own tables, its own streams. */
    private String encryptedSchema() {
        return schema + "_enc";
    }

    /** The pool Relato and the plain-JDBC peers share. */
    HikariDataSource pool() {
        return pool;
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
                String in = encrypted ? encryptedSchema() : schema;
                if (encrypted) {
                    createSchema(in);
                }
                PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(in).build();
                store.migrate();
                ReadModel<?> balances = new ReadModel.Sql(
                        new JdbcSql(JdbcSql.Dialect.POSTGRES, JdbcSql.Shape.LEAN, in, "app_"),
                        new PostgresProjectionTransactions(pool, store.schema()), new PooledConnections(pool));
                yield encrypted ? RelatoSubject.encrypted(store, store.dataKeys(), store.snapshots(), balances, store)
                        : new RelatoSubject(store, store.snapshots(), balances, store);
            }
            case RELATO_CALLER_TX -> {
                PostgresEventStore store = (PostgresEventStore) relato().store();
                yield relato().appendingThrough(kind, (stream, expected, events) -> {
                    try (Connection connection = pool.getConnection()) {
                        connection.setAutoCommit(false);
                        try {
                            AppendResult result = store.append(connection, stream, expected, events);
                            connection.commit();
                            return result;
                        } catch (RuntimeException e) {
                            connection.rollback();
                            throw e;
                        } finally {
                            connection.setAutoCommit(true);
                        }
                    } catch (SQLException e) {
                        throw new JdbcSubject.JdbcFailure("the caller's transaction failed", e);
                    }
                });
            }
            case JDBC -> jdbc(JdbcSql.Shape.LEAN, "jdbc_");
            case JDBC_WIDE -> jdbc(JdbcSql.Shape.RELATO, "wide_");
            case AXON -> new AxonSubject(pool("axon-bench"), axonSchema(), owned);
            default -> throw new IllegalArgumentException("postgres has no subject '" + kind + "'");
        };
    }

    private void createSchema(String name) {
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + name);
        } catch (SQLException e) {
            throw new JdbcSubject.JdbcFailure("cannot create schema " + name, e);
        }
    }

    private Subject jdbc(JdbcSql.Shape shape, String prefix) {
        PooledConnections connections = new PooledConnections(pool);
        return new JdbcSubject(new JdbcSql(JdbcSql.Dialect.POSTGRES, shape, schema, prefix), connections,
                connections, () -> { }).createTables();
    }

    @Override
    Optional<List<String>> attachArguments() {
        return Optional.of(List.of(url, user, schema));
    }

    @Override
    void cleanUp() {
        try {
            if (owned) {
                try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
                    statement.execute("DROP SCHEMA IF EXISTS " + axonSchema() + " CASCADE");
                    statement.execute("DROP SCHEMA IF EXISTS " + encryptedSchema() + " CASCADE");
                    statement.execute("DROP SCHEMA " + schema + " CASCADE");
                } catch (SQLException e) {
                    throw new JdbcSubject.JdbcFailure("cannot drop schema " + schema, e);
                }
            }
        } finally {
            pool.close();
        }
    }
}
