package dev.relato.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.relato.InvalidInputException;
import dev.relato.StreamId;
import dev.relato.snapshot.Snapshot;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSnapshotAndCheckpointTest {
    private static final StreamId ORDER = StreamId.of("Order", "1");
    private static final Instant TAKEN = Instant.parse("2026-03-01T10:15:30.123456789Z");

    @TempDir
    Path dir;
    SqliteEventStore store;

    @BeforeEach
    void open() {
        store = SqliteEventStore.open(dir.resolve("events.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void keepsTheNewestSnapshotPerStream() {
        SqliteSnapshotStore snapshots = store.snapshots();
        assertThat(snapshots.load(ORDER)).isEmpty();

        Snapshot five = new Snapshot(ORDER, 5, 1, "{\"v\":5}", TAKEN);
        snapshots.save(five);
        snapshots.save(new Snapshot(ORDER, 3, 1, "{\"v\":3}", TAKEN));
        assertThat(snapshots.load(ORDER)).contains(five);

        Snapshot eight = new Snapshot(ORDER, 8, 2, "{\"v\":8}", TAKEN.plusSeconds(1));
        snapshots.save(eight);
        assertThat(snapshots.load(ORDER)).contains(eight);
        assertThat(snapshots.load(StreamId.of("Order", "2"))).isEmpty();

        snapshots.delete(ORDER);
        assertThat(snapshots.load(ORDER)).isEmpty();
    }

    @Test
    void savesLoadsAndDeletesCheckpoints() {
        SqliteCheckpointStore checkpoints = store.checkpoints();
        assertThat(checkpoints.load("mailer")).isZero();

        checkpoints.save("mailer", 10);
        checkpoints.save("mailer", 12);
        checkpoints.save("billing", 3);
        assertThat(checkpoints.load("mailer")).isEqualTo(12);
        assertThat(checkpoints.load("billing")).isEqualTo(3);

        checkpoints.delete("mailer");
        assertThat(checkpoints.load("mailer")).isZero();
        assertThat(checkpoints.load("billing")).isEqualTo(3);

        assertThatThrownBy(() -> checkpoints.save(" ", 1)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> checkpoints.save("mailer", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTransactionOfAnotherStoreIsRefused() {
        try (SqliteEventStore other = SqliteEventStore.builder().path(dir.resolve("other.db")).build()) {
            assertThatThrownBy(() -> other.inTransaction(tx -> store.checkpoints().save(tx, "mailer", 1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("belongs to");
        }
        assertThat(store.checkpoints().load("mailer")).isZero();
    }
}
