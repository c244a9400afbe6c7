package dev.relato.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.relato.snapshot.SnapshotStore;
import dev.relato.test.contract.SnapshotStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The snapshot store contract against PostgreSQL: every test in a fresh schema. */
class PostgresSnapshotStoreContractTest extends SnapshotStoreContract {
    private static HikariDataSource pool;
    private String schema;

    @BeforeAll
    static void openPool() {
        pool = TestDatabase.pool("relato_contract_snapshots", 6);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected SnapshotStore createSnapshotStore() {
        schema = TestDatabase.newSchema("contract");
        PostgresSchema target = PostgresSchema.of(schema);
        target.migrate(pool);
        return new PostgresSnapshotStore(pool, target);
    }

    @Override
    protected void destroySnapshotStore(SnapshotStore store) {
        TestDatabase.dropSchema(schema);
    }
}
