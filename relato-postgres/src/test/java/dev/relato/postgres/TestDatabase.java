package dev.relato.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server the tests use: the machine's server at 127.0.0.1:5432 (user postgres, database
 * test). When it cannot be reached, tests fail under {@code CI=true}; elsewhere an embedded server is
 * started once per JVM. Every test class takes a fresh schema from {@link #newSchema} and drops it after.
 */
final class TestDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(TestDatabase.class);
    private static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String LOCAL_OTHER_DATABASE_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static final String USER = "postgres";
    private static String url;
    private static EmbeddedPostgres embedded;

    private TestDatabase() {
    }

    /** The JDBC URL of the server, starting an embedded one if needed. */
    static synchronized String url() {
        if (url != null) {
            return url;
        }
        DriverManager.setLoginTimeout(3);
        try (Connection probe = DriverManager.getConnection(LOCAL_URL, USER, "")) {
            LOG.debug("using PostgreSQL {} at {}", probe.getMetaData().getDatabaseProductVersion(), LOCAL_URL);
            url = LOCAL_URL;
            return url;
        } catch (SQLException unreachable) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("PostgreSQL is required under CI=true but " + LOCAL_URL + " (user "
                        + USER + ") cannot be reached: " + unreachable.getMessage(), unreachable);
            }
            LOG.warn("{} cannot be reached ({}); starting an embedded PostgreSQL", LOCAL_URL, unreachable.getMessage());
            try {
                embedded = EmbeddedPostgres.start();
            } catch (IOException e) {
                throw new UncheckedIOException("the embedded PostgreSQL did not start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException e) {
                    LOG.warn("stopping the embedded PostgreSQL failed", e);
                }
            }));
            url = embedded.getJdbcUrl(USER, "postgres");
            return url;
        }
    }

    /** The JDBC URL of another database of the same server. */
    static synchronized String otherDatabaseUrl() {
        return LOCAL_URL.equals(url()) ? LOCAL_OTHER_DATABASE_URL : embedded.getJdbcUrl(USER, "template1");
    }

    /** A small pool; its connections carry {@code applicationName} so tests can find (and kill) them. */
    static HikariDataSource pool(String applicationName, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url());
        config.setUsername(USER);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        config.setPoolName(applicationName);
        config.addDataSourceProperty("ApplicationName", applicationName);
        return new HikariDataSource(config);
    }

    /** A fresh, unique schema name (not created yet). */
    static String newSchema(String purpose) {
        return "relato_test_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** Drops a schema and everything in it. */
    static void dropSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }

    /** Terminates every backend whose application name is {@code applicationName}; returns how many. */
    static int terminate(String applicationName) {
        try (Connection c = DriverManager.getConnection(url(), USER, "");
             var ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, applicationName);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("terminating backends of " + applicationName + " failed", e);
        }
    }

    static void execute(String statement) {
        try (Connection c = DriverManager.getConnection(url(), USER, ""); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + " failed", e);
        }
    }
}
