package dev.relato.examples.orders;

import dev.relato.RecordedEvent;
import dev.relato.examples.orders.OrderEvent.OrderCancelled;
import dev.relato.examples.orders.OrderEvent.OrderConfirmed;
import dev.relato.examples.orders.OrderEvent.OrderLineAdded;
import dev.relato.examples.orders.OrderEvent.OrderLineRemoved;
import dev.relato.examples.orders.OrderEvent.OrderPlaced;
import dev.relato.examples.orders.OrderEvent.OrderShipped;
import dev.relato.projection.Projection;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The order list as SQL tables, in the same database as the events: every statement of the read model in
 * one place, in SQL that SQLite and PostgreSQL both run. {@code orders_list} has one row per order;
 * {@code orders_list_line} keeps each line's amount so a removal can be subtracted. Amounts are stored
 * as decimal text and summed in Java, so no database rounds them; times are epoch microseconds.
 *
 * <p>{@link #PROJECTION}'s handlers run on the connection of the runner's transaction and are idempotent:
 * an event at or below a row's version changes nothing. Stateless and thread-safe; the connections are the
 * caller's.
 */
public final class OrderListTables {
    /** The projection that keeps the tables, run on a connection in the runner's transaction. */
    public static final Projection<Connection> PROJECTION = Projection.<Connection>named("order-list")
            .categories(OrdersService.CATEGORY)
            .on(OrderPlaced.class, OrderListTables::placed)
            .on(OrderLineAdded.class, OrderListTables::lineAdded)
            .on(OrderLineRemoved.class, OrderListTables::lineRemoved)
            .on(OrderConfirmed.class, (sql, e, record) -> status(sql, OrderStatus.CONFIRMED, record))
            .on(OrderShipped.class, (sql, e, record) -> status(sql, OrderStatus.SHIPPED, record))
            .on(OrderCancelled.class, (sql, e, record) -> status(sql, OrderStatus.CANCELLED, record))
            .build();

    private static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS orders_list (
              order_id   VARCHAR(256) PRIMARY KEY,
              customer   VARCHAR(200) NOT NULL,
              status     VARCHAR(16)  NOT NULL,
              line_count INTEGER      NOT NULL,
              total      VARCHAR(64)  NOT NULL,
              placed_at  BIGINT       NOT NULL,
              updated_at BIGINT       NOT NULL,
              version    BIGINT       NOT NULL
            )""", """
            CREATE INDEX IF NOT EXISTS orders_list_by_customer ON orders_list (customer, placed_at)""", """
            CREATE INDEX IF NOT EXISTS orders_list_by_status ON orders_list (status, placed_at)""", """
            CREATE TABLE IF NOT EXISTS orders_list_line (
              order_id VARCHAR(256) NOT NULL,
              line_id  VARCHAR(256) NOT NULL,
              amount   VARCHAR(64)  NOT NULL,
              PRIMARY KEY (order_id, line_id)
            )""");
    private static final String INSERT_ORDER = "INSERT INTO orders_list (order_id, customer, status, line_count, total,"
            + " placed_at, updated_at, version) VALUES (?, ?, ?, 0, '0', ?, ?, ?) ON CONFLICT (order_id) DO NOTHING";
    private static final String SELECT_TOTALS = "SELECT line_count, total, version FROM orders_list WHERE order_id = ?";
    private static final String UPDATE_TOTALS = "UPDATE orders_list SET line_count = ?, total = ?, updated_at = ?,"
            + " version = ? WHERE order_id = ?";
    private static final String UPDATE_STATUS = "UPDATE orders_list SET status = ?, updated_at = ?, version = ?"
            + " WHERE order_id = ? AND version < ?";
    private static final String INSERT_LINE = "INSERT INTO orders_list_line (order_id, line_id, amount) VALUES (?, ?, ?)";
    private static final String SELECT_LINE = "SELECT amount FROM orders_list_line WHERE order_id = ? AND line_id = ?";
    private static final String DELETE_LINE = "DELETE FROM orders_list_line WHERE order_id = ? AND line_id = ?";
    private static final String SELECT_ROWS = "SELECT order_id, customer, status, line_count, total, placed_at,"
            + " updated_at, version FROM orders_list";
    private static final String ORDER_ROWS = " ORDER BY placed_at DESC, order_id LIMIT ?";

    private OrderListTables() {
    }

    /** Creates the tables and indexes if they do not exist. */
    public static void createTables(Connection sql) throws SQLException {
        try (Statement statement = sql.createStatement()) {
            for (String ddl : SCHEMA) {
                statement.execute(ddl);
            }
        }
    }

    /** The rows matching the query (and after its cursor), newest placed first, at most its limit. */
    public static List<OrderSummary> find(Connection sql, OrderQuery query) throws SQLException {
        List<String> conditions = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        query.customer().ifPresent(c -> {
            conditions.add("customer = ?");
            values.add(c);
        });
        query.status().ifPresent(s -> {
            conditions.add("status = ?");
            values.add(s.name());
        });
        query.after().ifPresent(cursor -> {
            conditions.add("(placed_at < ? OR (placed_at = ? AND order_id > ?))");
            values.add(micros(cursor.placedAt()));
            values.add(micros(cursor.placedAt()));
            values.add(cursor.orderId());
        });
        String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        try (PreparedStatement select = sql.prepareStatement(SELECT_ROWS + where + ORDER_ROWS)) {
            for (int i = 0; i < values.size(); i++) {
                select.setObject(i + 1, values.get(i));
            }
            select.setInt(values.size() + 1, query.limit());
            List<OrderSummary> rows = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.add(new OrderSummary(rs.getString(1), rs.getString(2), OrderStatus.valueOf(rs.getString(3)),
                            rs.getInt(4), new BigDecimal(rs.getString(5)), instant(rs.getLong(6)), instant(rs.getLong(7)),
                            rs.getLong(8)));
                }
            }
            return rows;
        }
    }

    private static void placed(Connection sql, OrderPlaced event, RecordedEvent record) throws SQLException {
        try (PreparedStatement insert = sql.prepareStatement(INSERT_ORDER)) {
            insert.setString(1, record.streamId().id());
            insert.setString(2, event.customer());
            insert.setString(3, OrderStatus.OPEN.name());
            insert.setLong(4, micros(record.recordedAt()));
            insert.setLong(5, micros(record.recordedAt()));
            insert.setLong(6, record.streamVersion());
            insert.executeUpdate();
        }
    }

    private static void lineAdded(Connection sql, OrderLineAdded event, RecordedEvent record) throws SQLException {
        Optional<Totals> totals = totals(sql, record);
        if (totals.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = sql.prepareStatement(INSERT_LINE)) {
            insert.setString(1, record.streamId().id());
            insert.setString(2, event.lineId());
            insert.setString(3, event.amount().toPlainString());
            insert.executeUpdate();
        }
        updateTotals(sql, record, totals.get().lineCount() + 1, totals.get().total().add(event.amount()));
    }

    private static void lineRemoved(Connection sql, OrderLineRemoved event, RecordedEvent record) throws SQLException {
        Optional<Totals> totals = totals(sql, record);
        if (totals.isEmpty()) {
            return;
        }
        Optional<BigDecimal> amount = Optional.empty();
        try (PreparedStatement select = sql.prepareStatement(SELECT_LINE)) {
            select.setString(1, record.streamId().id());
            select.setString(2, event.lineId());
            try (ResultSet rs = select.executeQuery()) {
                if (rs.next()) {
                    amount = Optional.of(new BigDecimal(rs.getString(1)));
                }
            }
        }
        if (amount.isEmpty()) {
            return;
        }
        try (PreparedStatement delete = sql.prepareStatement(DELETE_LINE)) {
            delete.setString(1, record.streamId().id());
            delete.setString(2, event.lineId());
            delete.executeUpdate();
        }
        updateTotals(sql, record, totals.get().lineCount() - 1, totals.get().total().subtract(amount.get()));
    }

    private static void status(Connection sql, OrderStatus status, RecordedEvent record) throws SQLException {
        try (PreparedStatement update = sql.prepareStatement(UPDATE_STATUS)) {
            update.setString(1, status.name());
            update.setLong(2, micros(record.recordedAt()));
            update.setLong(3, record.streamVersion());
            update.setString(4, record.streamId().id());
            update.setLong(5, record.streamVersion());
            update.executeUpdate();
        }
    }

    /** The row's totals, if the row exists and does not reflect the record yet. */
    private static Optional<Totals> totals(Connection sql, RecordedEvent record) throws SQLException {
        try (PreparedStatement select = sql.prepareStatement(SELECT_TOTALS)) {
            select.setString(1, record.streamId().id());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next() || rs.getLong(3) >= record.streamVersion()) {
                    return Optional.empty();
                }
                return Optional.of(new Totals(rs.getInt(1), new BigDecimal(rs.getString(2))));
            }
        }
    }

    private static void updateTotals(Connection sql, RecordedEvent record, int lineCount, BigDecimal total)
            throws SQLException {
        try (PreparedStatement update = sql.prepareStatement(UPDATE_TOTALS)) {
            update.setInt(1, lineCount);
            update.setString(2, total.toPlainString());
            update.setLong(3, micros(record.recordedAt()));
            update.setLong(4, record.streamVersion());
            update.setString(5, record.streamId().id());
            update.executeUpdate();
        }
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    private record Totals(int lineCount, BigDecimal total) {
    }
}
