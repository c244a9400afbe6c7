package dev.relato.bench;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Transactions on connections borrowed from a pool, one per unit of work: how a plain-JDBC application uses
 * PostgreSQL from several threads. Thread-safe.
 */
final class PooledConnections implements JdbcSubject.Connections {
    private final DataSource dataSource;

    PooledConnections(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public <T> T run(JdbcSubject.SqlWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
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
        } catch (SQLException e) {
            throw new JdbcSubject.JdbcFailure("PostgreSQL work failed", e);
        }
    }
}
