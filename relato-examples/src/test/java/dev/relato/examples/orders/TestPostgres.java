package dev.relato.examples.orders;

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
 * The PostgreSQL server of the tests: the machine's server at 127.0.0.1:5432 (user postgres, database
 * test). When it cannot be reached, tests fail under {@code CI=true}; elsewhere an embedded server is
 * started once per JVM. Each test class works in a schema of its own and drops it after.
 */
final class TestPostgres {
    private static final Logger LOG = LoggerFactory.getLogger(TestPostgres.class);
    private static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private static String url;

    private TestPostgres() {
    }

    /** The JDBC URL of the server, user included, starting an embedded one if needed. */
    static synchronized String url() {
        if (url != null) {
            return url;
        }
        DriverManager.setLoginTimeout(3);
        try (Connection probe = DriverManager.getConnection(LOCAL_URL)) {
            LOG.debug("using PostgreSQL {} at {}", probe.getMetaData().getDatabaseProductVersion(), LOCAL_URL);
            url = LOCAL_URL;
        } catch (SQLException unreachable) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("PostgreSQL is required under CI=true but " + LOCAL_URL
                        + " cannot be reached: " + unreachable.getMessage(), unreachable);
            }
            LOG.warn("{} cannot be reached ({}); starting an embedded PostgreSQL", LOCAL_URL, unreachable.getMessage());
            try {
                EmbeddedPostgres embedded = EmbeddedPostgres.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        embedded.close();
                    } catch (IOException e) {
                        LOG.warn("stopping the embedded PostgreSQL failed", e);
                    }
                }));
                url = embedded.getJdbcUrl("postgres", "postgres");
            } catch (IOException e) {
                throw new UncheckedIOException("the embedded PostgreSQL did not start", e);
            }
        }
        return url;
    }

    /** A fresh, unique schema name (not created yet). */
    static String newSchema() {
        return "relato_orders_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static void dropSchema(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }
}
