package dev.relato.examples.orders;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.SchemaPolicy;
import dev.relato.StoreUnavailableException;
import dev.relato.cli.ops.StoreTarget;
import dev.relato.micrometer.RelatoMetrics;
import dev.relato.observe.RelatoObserver;
import dev.relato.postgres.PostgresDeadLetterStore;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.postgres.PostgresProjectingEventStore;
import dev.relato.postgres.PostgresProjectionTransactions;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.process.DeadlineStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Orders in PostgreSQL, all in one schema: the events and both read models.
 *
 * <ul>
 *   <li>Customer totals ({@link CustomerTotalsTables}) are an <b>inline</b> projection: commands append
 *       through a {@link PostgresProjectingEventStore}, so the totals change in the append's transaction.</li>
 *   <li>The order list ({@link OrderListTables}) is an <b>asynchronous</b> projection: a
 *       {@link ProjectionRunner} updates the tables and saves its checkpoint in one transaction
 *       ({@link PostgresProjectionTransactions}), so each event is applied exactly once. The events it skips are
 *       kept in the schema's dead-letter table ({@link PostgresDeadLetterStore}).</li>
 * </ul>
 *
 * <p>Owns a HikariCP pool whose connections use the schema as their search path, so the read models' SQL
 * names no schema. Thread-safe; closes the runner, the store, then the pool.
 */
final class PostgresBackend implements OrdersBackend {
    private static final int POOL_SIZE = 20;

    private final HikariDataSource pool;
    private final PostgresEventStore postgres;
    private final PersonalDataStore store;
    private final String description;
    private final ManagedProjection<Connection> orderList;

    /** @param kek the key-encryption key of the customers' personal data, whose data keys are kept in the schema */
    PostgresBackend(String jdbcUrl, String schema, KeyEncryptionKey kek, EventSerializer serializer,
                    RelatoMetrics metrics, RelatoObserver observer) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setSchema(schema);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(2);
        config.setPoolName("relato-orders");
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(10_000);
        try {
            this.pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("cannot connect to PostgreSQL at " + redacted(jdbcUrl) + ": "
                    + e.getMessage(), e);
        }
        try {
            this.postgres = PostgresEventStore.builder().dataSource(pool).schema(schema)
                    .schemaPolicy(SchemaPolicy.MIGRATE).observer(observer).build();
            inTransaction(tx -> {
                OrderListTables.createTables(tx);
                CustomerTotalsTables.createTables(tx);
            });
            this.store = OrdersKeys.wrap(postgres.projecting(serializer, List.of(CustomerTotalsTables.PROJECTION)),
                    postgres.dataKeys(), kek);
            this.description = "postgres at " + redacted(jdbcUrl) + ", schema " + schema;
            this.orderList = new ManagedProjection<>(OrderListTables.PROJECTION, store, serializer,
                    postgres.projectionTransactions(), postgres.deadLetters(), metrics);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }
    @Override
    public StoreTarget console() {
        return StoreTarget.of("postgres", description, postgres, postgres.checkpoints(), postgres.deadLetters(),
                postgres::dataKeys);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public PersonalDataStore store() {
        return store;
    }

    @Override
    public List<OrderSummary> findOrders(OrderQuery query) {
        return read("order list", sql -> OrderListTables.find(sql, query));
    }

    @Override
    public Optional<CustomerTotals> customerTotals(String customer) {
        return read("customer totals", sql -> CustomerTotalsTables.find(sql, customer));
    }

    @Override
    public DeadlineStore deadlines() {
        return postgres.deadlines();
    }

    @Override
    public CheckpointStore checkpoints() {
        return postgres.checkpoints();
    }

    @Override
    public List<ManagedProjection<?>> projections() {
        return List.of(orderList);
    }

    @Override
    public void close() {
        try {
            orderList.close();
            store.close();
        } finally {
            pool.close();
        }
    }

    private <T> T read(String what, Query<T> query) {
        try (Connection sql = pool.getConnection()) {
            return query.run(sql);
        } catch (SQLException e) {
            throw new StoreUnavailableException("cannot read the " + what + ": " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Query<T> {
        T run(Connection sql) throws SQLException;
    }

    private void inTransaction(Work work) {
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            try {
                work.run(tx);
                tx.commit();
            } catch (Exception e) {
                tx.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("PostgreSQL transaction failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The URL without its query string, which may hold a password. */
    private static String redacted(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }

    @FunctionalInterface
    private interface Work {
        void run(Connection tx) throws Exception;
    }
}
