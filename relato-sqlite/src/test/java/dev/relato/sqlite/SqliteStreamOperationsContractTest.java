package dev.relato.sqlite;

import dev.relato.EventStore;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.StreamOperationsContract;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

class SqliteStreamOperationsContractTest extends StreamOperationsContract {
    @TempDir
    Path dir;

    @Override
    protected EventStore createStore() {
        return SqliteEventStore.open(dir.resolve("events.db"));
    }

    @Override
    protected Optional<SnapshotStore> snapshots(EventStore store) {
        return Optional.of(((SqliteEventStore) store).snapshots());
    }
}
