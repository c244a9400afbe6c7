package dev.relato.spring;

import dev.relato.EventStore;
import dev.relato.privacy.DataKeyStore;
import dev.relato.projection.CheckpointStore;
import dev.relato.projection.DeadLetterStore;
import dev.relato.projection.Projection;
import dev.relato.projection.ProjectionRunner;
import dev.relato.serialization.EventSerializer;
import dev.relato.sqlite.SqliteDeadLetterStore;
import dev.relato.sqlite.SqliteEventStore;
import dev.relato.sqlite.SqliteProjectingEventStore;
import dev.relato.sqlite.SqliteProjectionTransactions;
import java.sql.Connection;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** The SQLite store, with its inline projections and the transaction manager's transactions. Thread-safe. */
final class SqliteRelatoStore extends RelatoStore {
    private final SqliteEventStore store;
    private final SqliteDeadLetterStore deadLetters;

    SqliteRelatoStore(SqliteEventStore store, SqliteTransactionManager transactions, EventSerializer serializer,
                      List<Projection<Connection>> inline) {
        super(store, transactional(store, transactions, inline.isEmpty() ? null
                : SqliteProjectingEventStore.of(store, serializer, inline)));
        this.store = store;
        this.deadLetters = new SqliteDeadLetterStore(store);
    }

    private static TransactionalEventStore transactional(SqliteEventStore store, SqliteTransactionManager transactions,
                                                         @Nullable SqliteProjectingEventStore projecting) {
        EventStore base = projecting == null ? store : projecting;
        return new TransactionalEventStore(base) {
            @Override
            <T> T inCurrent(Function<EventStore, T> call) {
                return transactions.currentTransaction()
                        .map(tx -> call.apply(projecting == null ? store.boundTo(tx) : projecting.boundTo(tx)))
                        .orElseGet(() -> call.apply(base));
            }
        };
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    ProjectionRunner.Builder<?> runner(Projection<?> projection, EventSerializer serializer, EventStore events) {
        return ProjectionRunner.builder((Projection<Connection>) (Projection) projection, events, serializer)
                .transactions(new SqliteProjectionTransactions(store))
                .deadLetters(deadLetters);
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
        return deadLetters;
    }
}
