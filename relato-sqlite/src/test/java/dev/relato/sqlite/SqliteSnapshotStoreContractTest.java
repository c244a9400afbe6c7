package dev.relato.sqlite;

import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.SnapshotStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteSnapshotStoreContractTest extends SnapshotStoreContract {
    @TempDir
    Path dir;
    private SqliteEventStore owner;

    @Override
    protected SnapshotStore createSnapshotStore() {
        owner = SqliteEventStore.open(dir.resolve("snapshots.db"));
        return owner.snapshots();
    }

    @Override
    protected void destroySnapshotStore(SnapshotStore store) {
        owner.close();
    }
}
