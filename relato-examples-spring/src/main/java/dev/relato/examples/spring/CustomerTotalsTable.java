package dev.relato.examples.spring;

import dev.relato.examples.orders.CustomerTotals;
import dev.relato.examples.orders.CustomerTotalsTables;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The customer totals in the plain example's tables ({@link CustomerTotalsTables}), kept by its inline projection
 * in each append's transaction, so they change exactly when the events commit. Creates the tables on start.
 * Thread-safe.
 */
@Component
class CustomerTotalsTable {
    private final OrdersSql sql;

    CustomerTotalsTable(OrdersSql sql) {
        this.sql = sql;
        sql.call(connection -> {
            CustomerTotalsTables.createTables(connection);
            return null;
        });
    }

    /** The customer's totals, if the customer has placed an order. */
    Optional<CustomerTotals> find(String customer) {
        return sql.call(connection -> CustomerTotalsTables.find(connection, customer));
    }
}
