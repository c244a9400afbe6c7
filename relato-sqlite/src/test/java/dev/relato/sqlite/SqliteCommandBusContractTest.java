package dev.relato.sqlite;

import dev.relato.EventStore;
import dev.relato.test.contract.CommandBusContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteCommandBusContractTest extends CommandBusContract {
    @TempDir
    Path dir;

    @Override
    protected EventStore createStore() {
        return SqliteEventStore.open(dir.resolve("commands.db"));
    }
}
