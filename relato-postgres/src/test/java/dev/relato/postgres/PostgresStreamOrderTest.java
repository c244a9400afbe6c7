package dev.relato.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.EventData;
import dev.relato.EventFilter;
import dev.relato.ExpectedVersion;
import dev.relato.GlobalRead;
import dev.relato.RecordedEvent;
import dev.relato.RetryPolicy;
import dev.relato.StoreUnavailableException;
import dev.relato.StreamId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Within one stream, global positions rise with versions, also when a caller's transaction took its
 * transaction id before another writer appended to the stream.
 */
class PostgresStreamOrderTest {
    private static String schema;
    private static HikariDataSource pool;
    private static PostgresEventStore store;

    @BeforeAll
    static void start() {
        schema = TestDatabase.newSchema("stream_order");
        pool = TestDatabase.pool(schema, 4);
        store = PostgresEventStore.builder().dataSource(pool).schema(schema).build();
        store.migrate();
    }

    @AfterAll
    static void stop() {
        store.close();
        pool.close();
        TestDatabase.dropSchema(schema);
    }

    @Test
    void aCallersTransactionThatWouldSortBeforeTheStreamsLastEventIsRefusedAsRetryable() throws SQLException {
        String category = "Ord" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        StreamId other = StreamId.of(category, "other");
        StreamId s = StreamId.of(category, "s");
        try (Connection a = pool.getConnection()) {
            a.setAutoCommit(false);
            store.append(a, other, ExpectedVersion.any(), List.of(EventData.of("Placed", "{}"))); // A's id is older
            store.append(s, ExpectedVersion.noStream(), List.of(EventData.of("Placed", "{}")));   // v1, outside A

            assertThatThrownBy(() -> store.append(a, s, ExpectedVersion.exactly(1),
                    List.of(EventData.of("Confirmed", "{}"))))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("'" + s + "'")
                    .hasMessageContaining("roll back");
            a.rollback();

            // retried as a new transaction, as the message says: now it sorts after v1
            store.append(a, other, ExpectedVersion.any(), List.of(EventData.of("Placed", "{}")));
            store.append(a, s, ExpectedVersion.exactly(1), List.of(EventData.of("Confirmed", "{}")));
            a.commit();
            a.setAutoCommit(true);
        }
        List<RecordedEvent> log = readCategory(category).stream().filter(e -> e.streamId().equals(s)).toList();
        assertThat(log).extracting(RecordedEvent::type).containsExactly("Placed", "Confirmed");
        assertThat(log).extracting(RecordedEvent::streamVersion).containsExactly(1L, 2L);
        assertThat(log).extracting(RecordedEvent::position).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aTransactionAppendingTwiceToOneStreamKeepsItsOrder() throws SQLException {
        String category = "Twice" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        StreamId s = StreamId.of(category, "s");
        try (Connection tx = pool.getConnection()) {
            tx.setAutoCommit(false);
            store.append(tx, s, ExpectedVersion.noStream(), List.of(EventData.of("A", "{}"), EventData.of("B", "{}")));
            store.append(tx, s, ExpectedVersion.exactly(2), List.of(EventData.of("C", "{}")));
            tx.commit();
            tx.setAutoCommit(true);
        }
        store.append(s, ExpectedVersion.exactly(3), List.of(EventData.of("D", "{}")));
        assertThat(readCategory(category)).extracting(RecordedEvent::type).containsExactly("A", "B", "C", "D");
    }

    @Test
    void anAppendRefusedAsASerializationFailureIsRetriedWithinThePolicyThenSurfacesAsTransient() {
        StreamId s = StreamId.of("Refused", UUID.randomUUID().toString());
        store.append(s, ExpectedVersion.noStream(), List.of(EventData.of("Placed", "{}")));
        // a last event at a position no transaction can sort above: every append to the stream is refused with 40001
        TestDatabase.execute("UPDATE \"" + schema + "\".events SET position = 9223372036854775807"
                + " WHERE stream_id = '" + s.id() + "'");
        AtomicInteger asked = new AtomicInteger();
        try (PostgresEventStore retrying = PostgresEventStore.builder().dataSource(pool).schema(schema)
                .appendRetries(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(30)))
                .errorClassifier((error, verdict) -> {
                    asked.incrementAndGet();
                    return verdict;
                })
                .build()) {
            assertThatThrownBy(() -> retrying.append(s, ExpectedVersion.any(), List.of(EventData.of("Confirmed", "{}"))))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("40001");
            // one verdict per failed attempt, and one for the exception after the third
            assertThat(asked).hasValue(4);
        }
        try (PostgresEventStore once = PostgresEventStore.builder().dataSource(pool).schema(schema)
                .appendRetries(RetryPolicy.none()).build()) {
            assertThatThrownBy(() -> once.append(s, ExpectedVersion.any(), List.of(EventData.of("Confirmed", "{}"))))
                    .isInstanceOf(StoreUnavailableException.class);
        }
        assertThat(store.read(s)).extracting(RecordedEvent::type).containsExactly("Placed");
    }

    private static List<RecordedEvent> readCategory(String category) {
        try (Stream<RecordedEvent> log = store.readAll(GlobalRead.fromStart().filter(EventFilter.categories(category)))) {
            return log.toList();
        }
    }
}
