package dev.relato.examples.spring;

import dev.relato.examples.orders.OrderEvent.OrderCancelled;
import dev.relato.examples.orders.OrderEvent.OrderConfirmed;
import dev.relato.examples.orders.OrderEvent.OrderLineAdded;
import dev.relato.examples.orders.OrderEvent.OrderLineRemoved;
import dev.relato.examples.orders.OrderEvent.OrderPlaced;
import dev.relato.examples.orders.OrderEvent.OrderShipped;
import dev.relato.examples.orders.OrderEvent;
import dev.relato.examples.orders.OrderStatus;
import dev.relato.projection.Projection;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The order list: one row per order in {@code order_list} (and its lines' amounts in {@code order_list_lines}),
 * kept by an asynchronous projection whose checkpoint commits with the rows. The SQL runs on SQLite and PostgreSQL.
 */
@Component
class OrderListTable {
    static final String NAME = "order-list";
    private final OrdersSql sql;

    OrderListTable(OrdersSql sql) {
        this.sql = sql;
        sql.call(connection -> {
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("CREATE TABLE IF NOT EXISTS order_list (id VARCHAR(200) PRIMARY KEY, customer VARCHAR(200)"
                        + " NOT NULL, status VARCHAR(20) NOT NULL, lines INTEGER NOT NULL, total NUMERIC NOT NULL,"
                        + " version BIGINT NOT NULL)");
                ddl.execute("CREATE TABLE IF NOT EXISTS order_list_lines (order_id VARCHAR(200) NOT NULL, line_id"
                        + " VARCHAR(200) NOT NULL, amount NUMERIC NOT NULL, PRIMARY KEY (order_id, line_id))");
            }
            return null;
        });
    }

    Projection<Connection> projection() {
        return Projection.<Connection>named(NAME)
                .categories(OrdersSpringApp.CATEGORY)
                .on(OrderPlaced.class, (c, e, r) -> update(c, "INSERT INTO order_list (id, customer, status, lines,"
                        + " total, version) VALUES (?, ?, 'open', 0, 0, ?)", e.orderId(), e.customer(),
                        r.streamVersion()))
                .on(OrderLineAdded.class, (c, e, r) -> {
                    update(c, "INSERT INTO order_list_lines (order_id, line_id, amount) VALUES (?, ?, ?)",
                            e.orderId(), e.lineId(), e.amount());
                    update(c, "UPDATE order_list SET lines = lines + 1, total = total + ?, version = ? WHERE id = ?",
                            e.amount(), r.streamVersion(), e.orderId());
                })
                .on(OrderLineRemoved.class, (c, e, r) -> {
                    update(c, "UPDATE order_list SET lines = lines - 1, total = total - (SELECT amount FROM"
                            + " order_list_lines WHERE order_id = ? AND line_id = ?), version = ? WHERE id = ?",
                            e.orderId(), e.lineId(), r.streamVersion(), e.orderId());
                    update(c, "DELETE FROM order_list_lines WHERE order_id = ? AND line_id = ?", e.orderId(),
                            e.lineId());
                })
                .on(OrderConfirmed.class, (c, e, r) -> status(c, e, OrderStatus.CONFIRMED, r.streamVersion()))
                .on(OrderShipped.class, (c, e, r) -> status(c, e, OrderStatus.SHIPPED, r.streamVersion()))
                .on(OrderCancelled.class, (c, e, r) -> status(c, e, OrderStatus.CANCELLED, r.streamVersion()))
                .build();
    }

    /** The customer's orders, by id; as the projection has them so far. */
    List<Map<String, Object>> byCustomer(String customer) {
        return sql.call(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT id, customer, status, lines, total,"
                    + " version FROM order_list WHERE customer = ? ORDER BY id")) {
                select.setString(1, customer);
                List<Map<String, Object>> rows = new ArrayList<>();
                try (ResultSet result = select.executeQuery()) {
                    while (result.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("id", result.getString(1));
                        row.put("customer", result.getString(2));
                        row.put("status", result.getString(3));
                        row.put("lines", result.getInt(4));
                        row.put("total", new BigDecimal(result.getString(5)));
                        row.put("version", result.getLong(6));
                        rows.add(row);
                    }
                }
                return rows;
            }
        });
    }

    private static void status(Connection c, OrderEvent e, OrderStatus status, long version) throws SQLException {
        update(c, "UPDATE order_list SET status = ?, version = ? WHERE id = ?", status.label(), version, e.orderId());
    }

    private static void update(Connection connection, String statement, Object... values) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(statement)) {
            for (int i = 0; i < values.length; i++) {
                update.setObject(i + 1, values[i]);
            }
            update.executeUpdate();
        }
    }
}
