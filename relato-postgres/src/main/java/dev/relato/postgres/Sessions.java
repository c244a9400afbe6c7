package dev.relato.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs work on a connection in auto-commit mode, restoring the connection's mode afterwards. Stateless. */
final class Sessions {
    private Sessions() {
    }

    /** A piece of JDBC work. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} with auto-commit on, so that each statement is its own transaction: one round trip,
     * and no transaction left open on a pooled connection.
     */
    static <T> T autoCommitted(Connection c, Work<T> work) throws SQLException {
        if (c.getAutoCommit()) {
            return work.run();
        }
        c.setAutoCommit(true);
        try {
            return work.run();
        } finally {
            c.setAutoCommit(false);
        }
    }
}
