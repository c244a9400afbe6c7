package dev.relato.sqlite;

import dev.relato.projection.DeadLetterStore;
import dev.relato.test.contract.DeadLetterStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteDeadLetterStoreContractTest extends DeadLetterStoreContract {
    @TempDir
    Path dir;
    private SqliteEventStore owner;

    @Override
    protected DeadLetterStore createDeadLetterStore() {
        owner = SqliteEventStore.open(dir.resolve("dead-letters.db"));
        return new SqliteDeadLetterStore(owner);
    }

    @Override
    protected void destroyDeadLetterStore(DeadLetterStore store) {
        owner.close();
    }
}
