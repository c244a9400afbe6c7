package dev.relato.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.zaxxer.hikari.HikariDataSource;
import dev.relato.StreamId;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.axonframework.common.jdbc.ConnectionWrapperFactory;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * Axon Framework 4's {@link JdbcEventStorageEngine} on the same PostgreSQL server, used as an Axon application
 * uses it: its own HikariCP pool, its own schema with the tables its {@link PostgresEventTableFactory} creates
 * ({@code domainevententry}, {@code snapshotevententry}: payload and metadata as {@code bytea}), a
 * {@link JacksonSerializer} for events and snapshots, and the same account events as payloads.
 *
 * <ul>
 *   <li>Appends: the events as {@link DomainEventMessage}s (sequence numbers from the expected version) handed to
 *       {@code appendEvents} inside a JDBC transaction the bench opens: the engine's connection provider hands out
 *       that transaction's connection on the appending thread, as a transaction-aware data source does. Axon has
 *       no expected-version check of its own: the unique (aggregate, sequence number) constraint refuses a
 *       sequence number taken, and the engine reports that as a {@link ConcurrencyException}.</li>
 *   <li>W4: {@code readEvents(null, false)}, the tracking read of the whole log, every payload deserialized.</li>
 *   <li>W5: {@code readEvents(aggregate)} (the engine reads from sequence 0) folded into the same
 *       {@link Account.State}; with a snapshot, as Axon's event store does: {@code readSnapshot(aggregate)}, then
 *       {@code readEvents(aggregate, snapshot's sequence + 1)}.</li>
 * </ul>
 *
 * Reads run on auto-commit connections (no transaction). Axon has no read-model runner over plain JDBC and no
 * retrying repository over the bare engine, so W3 and W6 are not run. Thread-safe.
 */
final class AxonSubject implements Subject {
    /** Axon's aggregate type of the account streams. */
    private static final String AGGREGATE_TYPE = Account.CATEGORY;

    private final HikariDataSource pool;
    private final boolean owned;
    private final JdbcEventStorageEngine engine;
    private final ThreadLocal<Connection> transaction = new ThreadLocal<>();
    private final Account account = new Account();

    /**
     * @param pool   the pool of Axon's own, closed with this subject
     * @param schema the schema of Axon's tables
     * @param owned  whether to create the schema and its tables
     */
    AxonSubject(HikariDataSource pool, String schema, boolean owned) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.owned = owned;
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());
        JacksonSerializer serializer = JacksonSerializer.builder().objectMapper(mapper).build();
        this.engine = JdbcEventStorageEngine.builder()
                .connectionProvider(this::connection)
                .transactionManager(NoTransactionManager.INSTANCE)
                .persistenceExceptionResolver(AxonSubject::isUniqueViolation)
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .schema(EventSchema.builder()
                        .eventTable(schema + ".domainevententry")
                        .snapshotTable(schema + ".snapshotevententry")
                        .build())
                .build();
        if (owned) {
            try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            } catch (SQLException e) {
                pool.close();
                throw new JdbcSubject.JdbcFailure("cannot create Axon's schema " + schema, e);
            }
            engine.createSchema(PostgresEventTableFactory.INSTANCE);
        }
    }

    /** The appending thread's transaction, which Axon must not close, or else a new auto-commit connection. */
    private Connection connection() throws SQLException {
        Connection open = transaction.get();
        return open != null ? ConnectionWrapperFactory.wrap(open, new ConnectionWrapperFactory.NoOpCloseHandler()) : pool.getConnection();
    }

    @Override
    public String kind() {
        return Backend.AXON;
    }

    @Override
    public boolean supports(Workload workload) {
        return workload != Workload.CONTENDED_APPENDS && workload != Workload.CONTENDED_COMMANDS
                && workload != Workload.PROJECTION;
    }

    @Override
    public long append(StreamId stream, long expectedVersion, List<AccountEvent> events) throws VersionConflict {
        List<DomainEventMessage<?>> messages = new ArrayList<>(events.size());
        long sequence = expectedVersion; // Axon numbers an aggregate's events from 0
        for (AccountEvent event : events) {
            messages.add(new GenericDomainEventMessage<>(AGGREGATE_TYPE, stream.id(), sequence++, event));
        }
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            transaction.set(connection);
            try {
                engine.appendEvents(messages);
                connection.commit();
            } catch (ConcurrencyException | AggregateStreamCreationException e) {
                connection.rollback();
                transaction.remove();
                throw new VersionConflict(engine.lastSequenceNumberFor(stream.id()).map(last -> last + 1).orElse(0L));
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                transaction.remove();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new JdbcSubject.JdbcFailure("Axon's append transaction failed", e);
        }
        return expectedVersion + events.size();
    }

    @Override
    public long readAll() {
        long count = 0;
        try (Stream<? extends TrackedEventMessage<?>> log = engine.readEvents(null, false)) {
            Iterator<? extends TrackedEventMessage<?>> messages = log.iterator();
            while (messages.hasNext()) {
                Blackhole.consume(messages.next().getPayload());
                count++;
            }
        }
        return count;
    }

    @Override
    public Account.State load(StreamId stream) {
        return fold(account.initialState(), engine.readEvents(stream.id()));
    }

    @Override
    public void snapshot(StreamId stream) {
        long last = engine.lastSequenceNumberFor(stream.id())
                .orElseThrow(() -> new IllegalStateException("no stream " + stream));
        engine.storeSnapshot(new GenericDomainEventMessage<>(AGGREGATE_TYPE, stream.id(), last, load(stream)));
    }

    /** As Axon's event store reads an aggregate: its latest snapshot, then the events after it. */
    @Override
    public Account.State loadFromSnapshot(StreamId stream) {
        DomainEventMessage<?> snapshot = engine.readSnapshot(stream.id())
                .orElseThrow(() -> new IllegalStateException("no snapshot of " + stream));
        return fold((Account.State) snapshot.getPayload(),
                engine.readEvents(stream.id(), snapshot.getSequenceNumber() + 1));
    }

    private Account.State fold(Account.State initial, DomainEventStream events) {
        Account.State state = initial;
        while (events.hasNext()) {
            state = account.evolve(state, (AccountEvent) events.next().getPayload());
        }
        return state;
    }

    @Override
    public long project(String name) {
        throw new UnsupportedOperationException("Axon's peer runs no projection");
    }

    @Override
    public void close() {
        pool.close();
    }

    private static boolean isUniqueViolation(Exception failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException e && "23505".equals(e.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Axon Framework's JdbcEventStorageEngine" + (owned ? "" : " (attached)");
    }
}
