package dev.relato.spring;

import dev.relato.EventStore;
import dev.relato.postgres.PostgresEventStore;
import dev.relato.postgres.PostgresProjectingEventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;
import java.sql.Connection;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The PostgreSQL store on the application's {@link DataSource}. Inside a Spring-managed transaction the store works on
 * the transaction's connection ({@link DataSourceUtils#getConnection}) through {@link PostgresEventStore#boundTo}, so
 * its appends commit or roll back with the application's own SQL. Thread-safe.
 */
final class PostgresRelatoStore extends RelatoStore {
    private final PostgresEventStore store;

    PostgresRelatoStore(PostgresEventStore store, DataSource dataSource, EventSerializer serializer,
                        List<Projection<Connection>> inline) {
        super(store, transactional(store, dataSource, inline.isEmpty() ? null
                : PostgresProjectingEventStore.of(store, dataSource, serializer, inline)));
        this.store = store;
    }

    private static TransactionalEventStore transactional(PostgresEventStore store, DataSource dataSource,
                                                         @Nullable PostgresProjectingEventStore projecting) {
        EventStore base = projecting == null ? store : projecting;
        return new TransactionalEventStore(base) {
            @Override
            <T> T inCurrent(Function<EventStore, T> call) {
                if (!TransactionSynchronizationManager.isActualTransactionActive()) {
                    return call.apply(base);
                }
                Connection connection = DataSourceUtils.getConnection(dataSource);
                try {
                    return call.apply(projecting == null ? store.boundTo(connection) : projecting.boundTo(connection));
                } finally {
                    DataSourceUtils.releaseConnection(connection, dataSource);
                }
            }
        };
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    ProjectionRunner.Builder<?> runner(Projection<?> projection, EventSerializer serializer, EventStore events) {
        return ProjectionRunner.builder((Projection<Connection>) (Projection) projection, events, serializer)
                .transactions(store.projectionTransactions())
                .deadLetters(store.deadLetters());
    }

    @Override
    DataKeyStore dataKeys() {
        return store.dataKeys();
    }

    @Override
    CheckpointStore checkpoints() {
        return store.checkpoints();
    }

    @Override
    DeadLetterStore deadLetters() {
        return store.deadLetters();
    }
}
