package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventStore;
import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalData;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.projection.Projection;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subject's first data key commits in the transaction of the append that first uses it, whether the append runs
 * in a transaction of the store's own with inline projections or in the caller's: a failure after the events were
 * written rolls the key back with them, and a refused append leaves no key in the caller's transaction.
 */
class PostgresInlinePersonalDataTest {
    record Registered(String customerId, @PersonalData(subject = "customerId") String name) {
    }

    private static final EventTypes TYPES = EventTypes.builder().register(Registered.class).build();
    private static final EventSerializer SERIALIZER = EventSerializer.of(TYPES);
    private static HikariDataSource pool;
    private String schema;
    private PostgresEventStore events;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_inline_personal_data", 4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @BeforeEach
    void createStore() {
        schema = TestDatabase.newSchema("inline_personal");
        events = PostgresEventStore.builder().dataSource(pool).schema(schema).build();
        events.migrate();
    }

    @AfterEach
    void dropStore() {
        events.close();
        TestDatabase.dropSchema(schema);
    }

    private PersonalDataStore encrypting(EventStore over) {
        return PersonalDataStore.builder(over).keyStore(events.dataKeys())
                .keyEncryptionKey(KeyEncryptionKey.of(new byte[32], "test key")).types(TYPES).build();
    }

    @Test
    void aProjectionFailureAfterTheEventsRollsTheirNewKeyBackWithThem() {
        Projection<Connection> failing = Projection.<Connection>named("failing")
                .on(Registered.class, (sql, e, record) -> {
                    if (e.name().startsWith("Fail")) {
                        throw new IllegalStateException("the read model refuses " + e.name());
                    }
                })
                .build();
        PersonalDataStore store = encrypting(events.projecting(SERIALIZER, List.of(failing)));
        StreamId stream = StreamId.of("customer", "c-1");

        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(),
                List.of(SERIALIZER.serialize(new Registered("c-1", "Fail Example")))))
                .hasMessageContaining("the read model refuses");
        assertThat(events.read(stream)).isEmpty();
        assertThat(events.dataKeys().keysOf("c-1")).isEmpty();

        store.append(stream, ExpectedVersion.noStream(),
                List.of(SERIALIZER.serialize(new Registered("c-1", "Bea Example"))));
        assertThat(events.dataKeys().keysOf("c-1")).hasSize(1);
        assertThat(((Registered) SERIALIZER.deserialize(store.read(stream).get(0))).name()).isEqualTo("Bea Example");
    }

    @Test
    void keysOfTheCallersTransactionCommitOrRollBackWithIt() throws Exception {
        PersonalDataStore store = encrypting(events);
        StreamId taken = StreamId.of("customer", "taken");
        store.append(taken, ExpectedVersion.noStream(),
                List.of(SERIALIZER.serialize(new Registered("c-0", "Ann Example"))));
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            PersonalDataStore bound = store.over(events.boundTo(tx));
            assertThatThrownBy(() -> bound.append(taken, ExpectedVersion.noStream(),
                    List.of(SERIALIZER.serialize(new Registered("c-2", "Carl Example")))))
                    .isInstanceOf(WrongExpectedVersionException.class);
            tx.commit();
        }
        assertThat(events.dataKeys().keysOf("c-2")).as("keys after a refused append in a committed transaction")
                .isEmpty();

        StreamId stream = StreamId.of("customer", "c-2");
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            store.over(events.boundTo(tx)).append(stream, ExpectedVersion.noStream(),
                    List.of(SERIALIZER.serialize(new Registered("c-2", "Carl Example"))));
            tx.rollback();
        }
        assertThat(events.dataKeys().keysOf("c-2")).as("keys after a rolled back transaction").isEmpty();

        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            store.over(events.boundTo(tx)).append(stream, ExpectedVersion.noStream(),
                    List.of(SERIALIZER.serialize(new Registered("c-2", "Carl Again"))));
            tx.commit();
        }
        assertThat(events.dataKeys().keysOf("c-2")).hasSize(1);
        assertThat(((Registered) SERIALIZER.deserialize(store.read(stream).get(0))).name()).isEqualTo("Carl Again");
    }
}
