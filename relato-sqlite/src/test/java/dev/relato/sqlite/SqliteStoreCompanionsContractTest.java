package dev.relato.sqlite;

import dev.relato.StoreCompanions;
import dev.relato.test.contract.StoreCompanionsContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The companions contract against SQLite: every store in a file of its own. */
class SqliteStoreCompanionsContractTest extends StoreCompanionsContract {
    private final AtomicInteger files = new AtomicInteger();
    @TempDir
    Path dir;

    @Override
    protected StoreCompanions createStore() {
        return SqliteEventStore.open(dir.resolve("store-" + files.incrementAndGet() + ".db"));
    }
}
