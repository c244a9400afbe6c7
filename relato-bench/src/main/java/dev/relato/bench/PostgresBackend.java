package dev.relato.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.postgres.PostgresProjectionTransactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A schema of its own on a PostgreSQL server, dropped on close: Relato's tables and the plain-JDBC twin's
 * (prefix {@code jdbc_}) side by side, used through one HikariCP pool. The password travels to a forked JVM in
 * the environment variable {@value #PASSWORD_VARIABLE}, never on its command line.
 */
final class PostgresBackend extends Backend {
    static final String PASSWORD_VARIABLE = "RELATO_BENCH_PG_PASSWORD";
    private static final int POOL_SIZE = 10;

    private final String url;
    private final String user;
    private final String schema;
    private final boolean owned;
    private final HikariDataSource pool;

    private PostgresBackend(String url, String user, String password, String schema, boolean owned) {
        this.url = url;
        this.user = user;
        this.schema = schema;
        this.owned = owned;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        config.setPoolName("relato-bench");
        config.addDataSourceProperty("ApplicationName", "relato-bench");
        this.pool = new HikariDataSource(config);
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
    Subject openRelato() {
        PostgresEventStore store = PostgresEventStore.builder().dataSource(pool).schema(schema).build();
        store.migrate();
        ReadModel<?> balances = new ReadModel.Sql(new JdbcSql(JdbcSql.Dialect.POSTGRES, schema, "app_"),
                new PostgresProjectionTransactions(pool, store.schema()), new PooledConnections(pool));
        return new RelatoSubject(store, store.snapshotStore(), balances, store);
    }

    @Override
    Optional<Subject> openJdbc() {
        PooledConnections connections = new PooledConnections(pool);
        return Optional.of(new JdbcSubject(new JdbcSql(JdbcSql.Dialect.POSTGRES, schema, "jdbc_"), connections,
                connections, () -> { }).createTables());
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
