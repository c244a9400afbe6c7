package dev.relato.sqlite;

import dev.relato.EventStore;
import dev.relato.test.contract.StreamOperationsContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteStreamOperationsContractTest extends StreamOperationsContract {
    @TempDir
    Path dir;

    @Override
    protected EventStore createStore() {
        return SqliteEventStore.open(dir.resolve("events.db"));
    }
}
