package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.ExpectedVersion;
import dev.relato.StreamId;
import dev.relato.privacy.KeyEncryptionKey;
import dev.relato.privacy.PersonalData;
import dev.relato.privacy.PersonalDataStore;
import dev.relato.projection.Projection;
import dev.relato.serialization.EventSerializer;
import dev.relato.serialization.EventTypes;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A personal data store over SQLite views: an inline projection beneath it sees the events decrypted, and the keys it
 * makes inside the caller's transaction, or in the append's own, share its fate.
 */
class SqliteInlinePersonalDataTest {
    record Registered(String customerId, @PersonalData(subject = "customerId") String name) {
    }

    @TempDir
    Path dir;

    /** A personal data store over {@code sqlite} running {@code projection} inline. */
    private static PersonalDataStore projecting(SqliteEventStore sqlite, EventSerializer serializer, EventTypes types,
                                                Projection<Connection> projection) {
        return PersonalDataStore.builder(sqlite.projecting(serializer, List.of(projection))).keyStore(sqlite.dataKeys())
                .keyEncryptionKey(KeyEncryptionKey.of(new byte[32], "test key")).types(types).build();
    }

    @Test
    void anInlineProjectionBeneathThePersonalDataStoreSeesThePlainText() {
        EventTypes types = EventTypes.builder().register(Registered.class).build();
        EventSerializer serializer = EventSerializer.of(types);
        List<String> seen = new CopyOnWriteArrayList<>();
        Projection<Connection> names = Projection.<Connection>named("names")
                .on(Registered.class, (sql, e, record) -> seen.add(e.name()))
                .build();
        try (SqliteEventStore sqlite = SqliteEventStore.open(dir.resolve("events.db"));
             PersonalDataStore store = projecting(sqlite, serializer, types, names)) {
            StreamId stream = StreamId.of("customer", "c-1");
            store.append(stream, ExpectedVersion.noStream(),
                    List.of(serializer.serialize(new Registered("c-1", "Ann Example"))));

            assertThat(seen).containsExactly("Ann Example");
            assertThat(sqlite.read(stream).get(0).payload()).doesNotContain("Ann Example");
        }
    }

    @Test
    void keysMadeInsideTheCallersTransactionCommitAndRollBackWithIt() {
        EventTypes types = EventTypes.builder().register(Registered.class).build();
        EventSerializer serializer = EventSerializer.of(types);
        try (SqliteEventStore sqlite = SqliteEventStore.open(dir.resolve("events.db"))) {
            PersonalDataStore store = PersonalDataStore.builder(sqlite).keyStore(sqlite.dataKeys())
                    .keyEncryptionKey(KeyEncryptionKey.of(new byte[32], "test key")).types(types)
                    .cacheTimeToLive(Duration.ZERO).build();
            StreamId rolledBack = StreamId.of("customer", "c-1");
            assertThatThrownBy(() -> sqlite.inTransaction(tx -> {
                store.over(sqlite.boundTo(tx)).append(rolledBack, ExpectedVersion.noStream(),
                        List.of(serializer.serialize(new Registered("c-1", "Ann Example"))));
                throw new IllegalStateException("the caller's work fails");
            })).hasMessageContaining("the caller's work fails");
            assertThat(sqlite.dataKeys().keysOf("c-1")).isEmpty();

            StreamId kept = StreamId.of("customer", "c-1b");
            sqlite.inTransaction(tx -> {
                store.over(sqlite.boundTo(tx)).append(kept, ExpectedVersion.noStream(),
                        List.of(serializer.serialize(new Registered("c-1", "Ann Again"))));
            });
            assertThat(sqlite.dataKeys().keysOf("c-1")).hasSize(1);
            assertThat(((Registered) serializer.deserialize(store.read(kept).get(0))).name()).isEqualTo("Ann Again");
        }
    }

    @Test
    void aFailureAfterTheEventsAreWrittenRollsTheirNewKeyBackWithThem() {
        EventTypes types = EventTypes.builder().register(Registered.class).build();
        EventSerializer serializer = EventSerializer.of(types);
        Projection<Connection> failing = Projection.<Connection>named("failing")
                .on(Registered.class, (sql, e, record) -> {
                    if (e.name().startsWith("Fail")) {
                        throw new IllegalStateException("the read model refuses " + e.name());
                    }
                })
                .build();
        try (SqliteEventStore sqlite = SqliteEventStore.open(dir.resolve("events.db"));
             PersonalDataStore store = projecting(sqlite, serializer, types, failing)) {
            StreamId stream = StreamId.of("customer", "c-2");
            assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(),
                    List.of(serializer.serialize(new Registered("c-2", "Fail Example")))))
                    .hasMessageContaining("the read model refuses");
            assertThat(sqlite.read(stream)).isEmpty();
            assertThat(sqlite.dataKeys().keysOf("c-2")).isEmpty();

            store.append(stream, ExpectedVersion.noStream(),
                    List.of(serializer.serialize(new Registered("c-2", "Bea Example"))));
            assertThat(sqlite.dataKeys().keysOf("c-2")).hasSize(1);
            assertThat(((Registered) serializer.deserialize(store.read(stream).get(0))).name())
                    .isEqualTo("Bea Example");
        }
    }
}
