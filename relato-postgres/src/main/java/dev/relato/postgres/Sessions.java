package dev.relato.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs JDBC work on a borrowed connection in auto-commit mode, translating failures. Stateless. */
final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

    private Sessions() {
    }

    /** A piece of JDBC work. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Borrows a connection, runs {@code work} on it in auto-commit mode and gives it back.
     *
     * @param what what is being done, for the message of a failure ("reading stream 'Order-1'")
     * @throws dev.relato.RelatoException the translation of an {@link SQLException} by {@code errors}
     */
    static <T> T call(DataSource dataSource, SqlErrors errors, Supplier<String> what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return autoCommitted(c, work);
        } catch (SQLException e) {
            throw errors.translate(e, what.get());
        }
    }

    /**
     * Runs {@code work} with auto-commit on, so that each statement is its own transaction (one round trip,
     * and no transaction left open on a pooled connection), then restores the connection's mode.
     */
    static <T> T autoCommitted(Connection c, Work<T> work) throws SQLException {
        if (c.getAutoCommit()) {
            return work.run(c);
        }
        c.setAutoCommit(true);
        try {
            return work.run(c);
        } finally {
            c.setAutoCommit(false);
        }
    }

    /** Rolls back a transaction that failed with {@code cause}; a failure of the rollback is added to it. */
    static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Restores auto-commit (the pool's default) and closes the connection, which returns it to its pool. */
    static void giveBack(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            LOG.debug("restoring auto-commit on a connection failed", e);
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing a connection failed", e);
        }
    }
}
