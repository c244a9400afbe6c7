package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.AppendResult;
import dev.relato.EventData;
import dev.relato.ExpectedVersion;
import dev.relato.RelatoException;
import dev.relato.StreamId;
import dev.relato.WrongExpectedVersionException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read model in the same file, updated in the store's write transaction. */
class SqliteTransactionTest {
    private static final StreamId ORDER = StreamId.of("Order", "1");

    @TempDir
    Path dir;
    SqliteEventStore store;

    @BeforeEach
    void open() {
        store = SqliteEventStore.open(dir.resolve("events.db"));
        store.inTransaction(tx -> {
            try (Statement ddl = tx.connection().createStatement()) {
                ddl.execute("CREATE TABLE order_totals (order_id TEXT PRIMARY KEY, total INTEGER NOT NULL)");
            }
        });
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static void upsertTotal(Connection connection, String orderId, int total) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO order_totals VALUES (?, ?) "
                + "ON CONFLICT (order_id) DO UPDATE SET total = excluded.total")) {
            upsert.setString(1, orderId);
            upsert.setInt(2, total);
            upsert.executeUpdate();
        }
    }

    private Optional<Integer> total(String orderId) {
        return store.callInTransaction(tx -> {
            try (PreparedStatement select = tx.connection().prepareStatement(
                    "SELECT total FROM order_totals WHERE order_id = ?")) {
                select.setString(1, orderId);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getInt(1)) : Optional.<Integer>empty();
                }
            }
        });
    }

    @Test
    void appendReadModelAndCheckpointCommitTogether() {
        AppendResult result = store.callInTransaction(tx -> {
            AppendResult appended = tx.append(ORDER, ExpectedVersion.noStream(),
                    List.of(EventData.of("OrderPlaced", "{\"total\":30}")));
            assertThat(tx.streamVersion(ORDER)).as("the transaction sees its own append").isEqualTo(1);
            upsertTotal(tx.connection(), ORDER.id(), 30);
            store.checkpoints().save(tx, "totals", appended.lastPosition());
            assertThat(store.checkpoints().load(tx, "totals")).isEqualTo(appended.lastPosition());
            return appended;
        });

        assertThat(result.lastVersion()).isEqualTo(1);
        assertThat(store.streamVersion(ORDER)).isEqualTo(1);
        assertThat(total(ORDER.id())).contains(30);
        assertThat(store.checkpoints().load("totals")).isEqualTo(result.lastPosition());
    }

    @Test
    void anExceptionRollsBackAppendsReadModelAndCheckpoint() {
        store.append(ORDER, ExpectedVersion.noStream(), List.of(EventData.of("OrderPlaced", "{}")));

        assertThatThrownBy(() -> store.inTransaction(tx -> {
            tx.append(ORDER, ExpectedVersion.exactly(1), List.of(EventData.of("OrderPaid", "{}")));
            tx.append(StreamId.of("Order", "2"), ExpectedVersion.noStream(), List.of(EventData.of("OrderPlaced", "{}")));
            upsertTotal(tx.connection(), ORDER.id(), 99);
            store.checkpoints().save(tx, "totals", 3);
            throw new IllegalStateException("projection failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("projection failed");

        assertThat(store.streamVersion(ORDER)).isEqualTo(1);
        assertThat(store.exists(StreamId.of("Order", "2"))).isFalse();
        assertThat(store.headPosition()).isEqualTo(1);
        assertThat(total(ORDER.id())).isEmpty();
        assertThat(store.checkpoints().load("totals")).isZero();
        assertThat(store.append(ORDER, ExpectedVersion.exactly(1), List.of(EventData.of("OrderPaid", "{}"))).lastPosition())
                .as("positions of the rolled-back events are taken by the next append").isEqualTo(2);
    }

    @Test
    void checkedExceptionsRollBackAndAreWrapped() {
        assertThatThrownBy(() -> store.inTransaction(tx -> {
            tx.append(ORDER, ExpectedVersion.noStream(), List.of(EventData.of("OrderPlaced", "{}")));
            try (Statement statement = tx.connection().createStatement()) {
                statement.execute("INSERT INTO no_such_table VALUES (1)");
            }
        })).isInstanceOf(RelatoException.class).hasCauseInstanceOf(SQLException.class)
                .hasMessageContaining("rolled back");

        assertThat(store.exists(ORDER)).isFalse();
    }

    @Test
    void aFailedAppendInsideTheTransactionLeavesTheRestIntact() {
        store.append(ORDER, ExpectedVersion.noStream(), List.of(EventData.of("OrderPlaced", "{}")));
        StreamId other = StreamId.of("Order", "2");

        store.inTransaction(tx -> {
            tx.append(other, ExpectedVersion.noStream(), List.of(EventData.of("OrderPlaced", "{}")));
            assertThatThrownBy(() -> tx.append(ORDER, ExpectedVersion.noStream(),
                    List.of(EventData.of("OrderPlaced", "{}"), EventData.of("OrderPaid", "{}"))))
                    .isInstanceOf(WrongExpectedVersionException.class);
            upsertTotal(tx.connection(), other.id(), 5);
        });

        assertThat(store.streamVersion(other)).isEqualTo(1);
        assertThat(store.streamVersion(ORDER)).isEqualTo(1);
        assertThat(total(other.id())).contains(5);
    }

    @Test
    void theTransactionOwnsCommitAndRollback() {
        store.inTransaction(tx -> {
            Connection connection = tx.connection();
            assertThatThrownBy(connection::commit).isInstanceOf(SQLException.class);
            assertThatThrownBy(connection::rollback).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> connection.setAutoCommit(false)).isInstanceOf(SQLException.class);
            connection.close(); // ignored: the store owns the connection
            assertThat(connection.isClosed()).isFalse();
        });
        SqliteTransaction[] leaked = new SqliteTransaction[1];
        store.inTransaction(tx -> leaked[0] = tx);

        assertThatThrownBy(() -> leaked[0].connection()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> leaked[0].append(ORDER, ExpectedVersion.any(), List.of(EventData.of("Late", "{}"))))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.inTransaction(tx -> store.append(ORDER, ExpectedVersion.any(),
                List.of(EventData.of("Nested", "{}"))))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SqliteTransaction");
        assertThat(store.exists(ORDER)).isFalse();
    }
}
