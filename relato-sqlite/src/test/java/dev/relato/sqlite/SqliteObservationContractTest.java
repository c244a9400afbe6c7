package dev.relato.sqlite;

import dev.relato.EventStore;
import dev.relato.observe.RelatoObserver;
import dev.relato.test.contract.ObservationContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteObservationContractTest extends ObservationContract {
    @TempDir
    Path dir;

    @Override
    protected EventStore createStore(RelatoObserver observer) {
        return SqliteEventStore.builder().path(dir.resolve("events.db")).observer(observer).build();
    }

    @Override
    protected String storeName() {
        return "sqlite";
    }
}
