package dev.relato.examples.spring;

import dev.relato.examples.orders.CustomerTotals;
import dev.relato.examples.orders.CustomerTotalsTables;
import dev.relato.examples.orders.OrderListTables;
import dev.relato.examples.orders.OrderQuery;
import dev.relato.examples.orders.OrderSummary;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The plain example's read models in the store's database: the customer totals ({@link CustomerTotalsTables},
 * kept by an inline projection in each append's transaction) and the order list ({@link OrderListTables}, kept by
 * an asynchronous projection whose checkpoint commits with its rows). Creates their tables on start. Thread-safe.
 */
@Component
class ReadModels {
    private final OrdersSql sql;

    ReadModels(OrdersSql sql) {
        this.sql = sql;
        sql.call(connection -> {
            CustomerTotalsTables.createTables(connection);
            OrderListTables.createTables(connection);
            return null;
        });
    }

    /** The customer's totals, if the customer has placed an order. */
    Optional<CustomerTotals> customer(String customer) {
        return sql.call(connection -> CustomerTotalsTables.find(connection, customer));
    }

    /** The order list rows matching the query, newest placed first. */
    List<OrderSummary> orders(OrderQuery query) {
        return sql.call(connection -> OrderListTables.find(connection, query));
    }
}
