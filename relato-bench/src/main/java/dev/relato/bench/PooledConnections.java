package dev.relato.bench;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Work on connections borrowed from a pool, one per unit of work: how a plain-JDBC application uses PostgreSQL
 * from several threads. Thread-safe.
 */
final class PooledConnections implements JdbcSubject.Connections {
    private final DataSource dataSource;

    PooledConnections(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public <T> T run(JdbcSubject.SqlWork<T> work) {
        return autoCommitted(connection -> {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        });
    }

    /** Runs work on a pooled connection as the pool hands it out: in auto-commit mode. */
    @Override
    public <T> T autoCommitted(JdbcSubject.SqlWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new JdbcSubject.JdbcFailure("PostgreSQL work failed", e);
        }
    }
}
