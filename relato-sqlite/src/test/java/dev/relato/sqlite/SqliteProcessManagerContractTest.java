package dev.relato.sqlite;

import dev.relato.EventStore;
import dev.relato.process.DeadlineStore;
import dev.relato.test.contract.ProcessManagerContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteProcessManagerContractTest extends ProcessManagerContract {
    @TempDir
    Path dir;

    @Override
    protected EventStore createStore() {
        return SqliteEventStore.open(dir.resolve("processes.db"));
    }

    @Override
    protected DeadlineStore deadlines(EventStore store) {
        return ((SqliteEventStore) store).deadlines();
    }
}
