package dev.relato.examples.spring;

import dev.relato.spring.SqliteTransactionManager;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionTemplate;

/** {@link OrdersSql} on the store's database: the SQLite file, or the application's PostgreSQL DataSource. */
@Configuration(proxyBeanMethods = false)
class OrdersSqlConfiguration {
    @Bean
    @ConditionalOnProperty(prefix = "relato", name = "store", havingValue = "sqlite", matchIfMissing = true)
    OrdersSql sqliteSql(SqliteTransactionManager transactions, TransactionTemplate template) {
        return new OrdersSql() {
            @Override
            public <T> T call(Work<T> work) {
                return template.execute(status -> run(work, transactions.currentTransaction().orElseThrow()
                        .connection()));
            }
        };
    }

    @Bean
    @ConditionalOnProperty(prefix = "relato", name = "store", havingValue = "postgres")
    OrdersSql postgresSql(DataSource dataSource, TransactionTemplate template) {
        return new OrdersSql() {
            @Override
            public <T> T call(Work<T> work) {
                return template.execute(status -> run(work, DataSourceUtils.getConnection(dataSource)));
            }
        };
    }

    private static <T> T run(OrdersSql.Work<T> work, Connection connection) {
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("order list SQL failed: " + e.getMessage(), e);
        }
    }
}
