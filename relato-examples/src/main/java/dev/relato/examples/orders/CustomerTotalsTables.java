package dev.relato.examples.orders;

import dev.relato.RecordedEvent;
import dev.relato.examples.orders.OrderEvent.OrderCancelled;
import dev.relato.examples.orders.OrderEvent.OrderConfirmed;
import dev.relato.examples.orders.OrderEvent.OrderPlaced;
import dev.relato.examples.orders.OrderEvent.OrderShipped;
import dev.relato.projection.Projection;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Customer totals ({@link CustomerTotals}) as SQL tables, kept by an <b>inline</b> projection: its handlers
 * run in the append's transaction, so the totals change exactly when the events commit. Every statement in
 * one place, in SQL that SQLite and PostgreSQL both run: {@code orders_customer} has one row per customer,
 * {@code orders_owner} maps each order to its customer (later events do not name the customer). The value
 * is decimal text summed in Java. Stateless and thread-safe; the connections are the caller's.
 */
public final class CustomerTotalsTables {
    /** The projection, run on the connection of the append's transaction. */
    public static final Projection<Connection> PROJECTION = Projection.<Connection>named("customer-totals")
            .categories(OrdersService.CATEGORY)
            .on(OrderPlaced.class, CustomerTotalsTables::placed)
            .on(OrderConfirmed.class, (sql, e, record) -> update(sql, e.orderId(),
                    t -> t.afterConfirmed(e.canonicalTotal())))
            .on(OrderShipped.class, (sql, e, record) -> update(sql, e.orderId(), CustomerTotals::afterShipped))
            .on(OrderCancelled.class, (sql, e, record) -> update(sql, e.orderId(), CustomerTotals::afterCancelled))
            .build();

    private static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS orders_customer (
              customer        VARCHAR(200) PRIMARY KEY,
              orders          BIGINT       NOT NULL,
              confirmed       BIGINT       NOT NULL,
              shipped         BIGINT       NOT NULL,
              cancelled       BIGINT       NOT NULL,
              confirmed_value VARCHAR(64)  NOT NULL
            )""", """
            CREATE TABLE IF NOT EXISTS orders_owner (
              order_id VARCHAR(256) PRIMARY KEY,
              customer VARCHAR(200) NOT NULL
            )""");
    private static final String INSERT_OWNER = "INSERT INTO orders_owner (order_id, customer) VALUES (?, ?)";
    private static final String SELECT_OWNER = "SELECT customer FROM orders_owner WHERE order_id = ?";
    private static final String INSERT_CUSTOMER = "INSERT INTO orders_customer (customer, orders, confirmed, shipped,"
            + " cancelled, confirmed_value) VALUES (?, 0, 0, 0, 0, '0') ON CONFLICT (customer) DO NOTHING";
    private static final String SELECT_CUSTOMER = "SELECT orders, confirmed, shipped, cancelled, confirmed_value"
            + " FROM orders_customer WHERE customer = ?";
    private static final String UPDATE_CUSTOMER = "UPDATE orders_customer SET orders = ?, confirmed = ?, shipped = ?,"
            + " cancelled = ?, confirmed_value = ? WHERE customer = ?";

    private CustomerTotalsTables() {
    }

    /** Creates the tables if they do not exist. */
    public static void createTables(Connection sql) throws SQLException {
        try (Statement statement = sql.createStatement()) {
            for (String ddl : SCHEMA) {
                statement.execute(ddl);
            }
        }
    }

    /** The customer's totals, if the customer has placed an order. */
    public static Optional<CustomerTotals> find(Connection sql, String customer) throws SQLException {
        try (PreparedStatement select = sql.prepareStatement(SELECT_CUSTOMER)) {
            select.setString(1, customer);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new CustomerTotals(customer, rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4), new BigDecimal(rs.getString(5))));
            }
        }
    }

    private static void placed(Connection sql, OrderPlaced event, RecordedEvent record) throws SQLException {
        try (PreparedStatement insert = sql.prepareStatement(INSERT_OWNER)) {
            insert.setString(1, event.orderId());
            insert.setString(2, event.customer());
            insert.executeUpdate();
        }
        try (PreparedStatement insert = sql.prepareStatement(INSERT_CUSTOMER)) {
            insert.setString(1, event.customer());
            insert.executeUpdate();
        }
        update(sql, event.orderId(), CustomerTotals::afterPlaced);
    }

    private static void update(Connection sql, String orderId, UnaryOperator<CustomerTotals> change)
            throws SQLException {
        String customer;
        try (PreparedStatement select = sql.prepareStatement(SELECT_OWNER)) {
            select.setString(1, orderId);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("order " + orderId + " has no customer in orders_owner");
                }
                customer = rs.getString(1);
            }
        }
        CustomerTotals totals = change.apply(find(sql, customer).orElseGet(() -> CustomerTotals.none(customer)));
        try (PreparedStatement update = sql.prepareStatement(UPDATE_CUSTOMER)) {
            update.setLong(1, totals.orders());
            update.setLong(2, totals.confirmed());
            update.setLong(3, totals.shipped());
            update.setLong(4, totals.cancelled());
            update.setString(5, totals.confirmedValue().toPlainString());
            update.setString(6, customer);
            update.executeUpdate();
        }
    }
}
