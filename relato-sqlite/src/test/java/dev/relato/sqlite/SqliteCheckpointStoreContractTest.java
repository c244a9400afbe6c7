package dev.relato.sqlite;

import dev.relato.projection.CheckpointStore;
import dev.relato.test.contract.CheckpointStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteCheckpointStoreContractTest extends CheckpointStoreContract {
    @TempDir
    Path dir;
    private SqliteEventStore owner;

    @Override
    protected CheckpointStore createCheckpointStore() {
        owner = SqliteEventStore.open(dir.resolve("checkpoints.db"));
        return owner.checkpoints();
    }

    @Override
    protected void destroyCheckpointStore(CheckpointStore store) {
        owner.close();
    }
}
