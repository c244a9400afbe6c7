package dev.relato.sqlite;

import dev.relato.test.contract.ProjectionLeasesContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The projection leases contract against SQLite: every table in a file of its own. */
class SqliteProjectionLeasesContractTest extends ProjectionLeasesContract {
    private final AtomicInteger files = new AtomicInteger();
    @TempDir
    Path dir;

    @Override
    protected LeaseTable createLeaseTable() {
        SqliteEventStore store = SqliteEventStore.open(dir.resolve("leases-" + files.incrementAndGet() + ".db"));
        return new LeaseTable() {
            @Override
            public SqliteProjectionLeases node(String nodeId) {
                return store.leases(nodeId);
            }

            @Override
            public void close() {
                store.close();
            }
        };
    }
}
